/**
 * What each WeChat message gets, apart from HTTP and crypto: text goes to the
 * engine with the session keyed by the OpenID, a number picks a numbered
 * suggestion, 「0」 shows the next page of a long answer, follow and unfollow
 * start and forget a conversation, and a menu click opens its topic.
 * https://developers.weixin.qq.com/doc/service/en/Message_Management/Receiving_event_pushes.html
 */
import type { Engine } from '../../engine/engine.js';
import { FACETS, type Input, type Reply } from '../../engine/types.js';
import type { SessionStore } from '../../session/store.js';
import { KeyedQueue } from '../../session/keyed-queue.js';
import { localText, renderWechat, WECHAT_TEXTS } from './render.js';
import type { LastReplyStore } from './stores.js';

/** Message types that carry no text: the user is asked to type. */
const NON_TEXT = new Set(['image', 'voice', 'video', 'shortvideo', 'location', 'link', 'file']);

/** What a message got: the text to send (null: none, answer "success") and what it was, for logs and metrics. */
export interface Outcome {
  content: string | null;
  /** A Reply kind, or what the adapter answered itself: more, nothing-more, non-text, stale-button, unsubscribe, ignored. */
  kind: string;
  topic: string | null;
  facet: string | null;
}

export interface WechatConversationOptions {
  engine: Engine;
  /** The shared session store; WeChat sessions are under `wechat:<openid>`. */
  store: SessionStore;
  lastReplies: LastReplyStore;
  now: () => number;
  /** Byte limit of one text reply (tests). */
  maxBytes?: number;
}

/** The session key of a WeChat user (the OpenID is per Official Account). */
export const sessionKey = (openId: string): string => `wechat:${openId}`;

/**
 * A menu button's key: `topic:<id>` opens a topic (or a `meta.*` small talk),
 * `facet:<id>:<facet>` a section of it. Null when the key is not one of these.
 */
export function parseMenuKey(key: string): { topic: string; facet: string | null } | null {
  const topic = /^topic:([\w.-]{1,100})$/.exec(key);
  if (topic) return { topic: topic[1]!, facet: null };
  const facet = /^facet:([\w.-]{1,100}):(\w{1,50})$/.exec(key);
  if (facet && (FACETS as readonly string[]).includes(facet[2]!)) return { topic: facet[1]!, facet: facet[2]! };
  return null;
}

/** The menu key of a topic or of one of its facets. */
export const menuKey = (topic: string, facet?: string | null): string => (facet ? `facet:${topic}:${facet}` : `topic:${topic}`);

export interface WechatConversation {
  /** Handles one message (its XML fields); one at a time per user. */
  handle(fields: Readonly<Record<string, string>>): Promise<Outcome>;
}

export function createWechatConversation(options: WechatConversationOptions): WechatConversation {
  const { engine, store, lastReplies, now } = options;
  const queue = new KeyedQueue();
  const plain = (content: string | null, kind: string): Outcome => ({ content, kind, topic: null, facet: null });

  /** Sends the first page; keeps the rest and the numbered choices for the next message. */
  async function show(openId: string, reply: Reply, traditional: boolean): Promise<Outcome> {
    const pages = renderWechat(reply, { traditional, ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}) });
    // After a clarify or a fallback the engine's own pending offer resolves "2", "第二个" and names.
    const engineResolves = reply.kind === 'clarify' || reply.kind === 'fallback';
    await lastReplies.set(openId, {
      choices: engineResolves ? [] : reply.suggestions.map((s) => ({ topic: s.topic, facet: s.facet })),
      more: pages.slice(1),
    });
    return { content: pages[0] ?? null, kind: reply.kind, topic: reply.topic, facet: reply.facet };
  }

  async function turn(openId: string, input: Input): Promise<Outcome> {
    const key = sessionKey(openId);
    const result = engine.respond(await store.get(key), input, now());
    await store.set(key, result.session);
    return show(openId, result.reply, result.session.script === 'traditional');
  }

  async function text(openId: string, raw: string): Promise<Outcome> {
    const typed = raw.normalize('NFKC').trim();
    const last = await lastReplies.get(openId);
    if (typed === '0') {
      const [page, ...rest] = last?.more ?? [];
      if (page === undefined) {
        const traditional = (await store.get(sessionKey(openId)))?.script === 'traditional';
        return plain(localText(WECHAT_TEXTS.nothingMore, traditional), 'nothing-more');
      }
      await lastReplies.set(openId, { choices: last?.choices ?? [], more: rest });
      return plain(page, 'more');
    }
    // A number follows a numbered suggestion of the last reply; anything else is a question.
    const choice = /^\d{1,2}$/.test(typed) ? last?.choices[Number(typed) - 1] : undefined;
    return turn(openId, choice ? { topic: choice.topic, facet: choice.facet } : raw);
  }

  async function event(openId: string, fields: Readonly<Record<string, string>>): Promise<Outcome> {
    switch ((fields.Event ?? '').toLowerCase()) {
      case 'subscribe':
        // A (re)follow starts afresh with the welcome and the main topics.
        await store.delete(sessionKey(openId));
        return show(openId, engine.welcome(), false);
      case 'unsubscribe':
        // WeChat's docs ask developers to delete a user's data on unfollow.
        await store.delete(sessionKey(openId));
        await lastReplies.delete(openId);
        return plain(null, 'unsubscribe');
      case 'click': {
        const target = parseMenuKey(fields.EventKey ?? '');
        if (!target || !engine.knows(target.topic)) return plain(WECHAT_TEXTS.staleButton, 'stale-button');
        return turn(openId, target);
      }
      default:
        // VIEW (a link button), SCAN, LOCATION reports, template results…: nothing to say.
        return plain(null, 'ignored');
    }
  }

  return {
    handle(fields) {
      const openId = fields.FromUserName!;
      const type = (fields.MsgType ?? '').toLowerCase();
      return queue.run(sessionKey(openId), async () => {
        if (type === 'text') return text(openId, fields.Content ?? '');
        if (type === 'event') return event(openId, fields);
        if (NON_TEXT.has(type)) return plain(WECHAT_TEXTS.nonText, 'non-text');
        return plain(null, 'ignored');
      });
    },
  };
}
