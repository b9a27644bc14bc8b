/**
 * The WeChat Official Account (公众号) channel: one route on the shared HTTP
 * server. GET verifies the server URL; POST takes a message in plaintext,
 * compatibility or security mode and answers it passively within WeChat's
 * five seconds, once per message however often WeChat retries it.
 * Protocol notes and sources: ../shared/wechat.md §1.
 */
import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Env } from '../../config/env.js';
import type { Engine } from '../../engine/engine.js';
import { hashId, type Logger } from '../../log.js';
import type { SharedRedis } from '../../session/redis.js';
import type { SessionStore } from '../../session/store.js';
import { readBody, reject, send, type Route } from '../../server/http.js';
import { aesKeyOf, decryptWithKeys, encryptMessage, WechatCryptoError } from './crypto.js';
import { createWechatConversation, type Outcome } from './conversation.js';
import { WECHAT_TEXTS } from './render.js';
import { messageSignature, signatureMatches, urlSignature } from './signature.js';
import {
  MemoryLastReplyStore,
  MemoryReplyCache,
  RedisLastReplyStore,
  RedisReplyCache,
  type ReplyCache,
} from './stores.js';
import { encryptedReplyXml, parseWechatXml, textReplyXml, WechatXmlError } from './xml.js';

/** Request bodies above this get 413 (a text message is a few hundred bytes; compatibility mode about 3×). */
export const WECHAT_MAX_BODY_BYTES = 64 * 1024;
/** WeChat waits 5 s for a passive reply, then retries; answer before that. */
export const WECHAT_REPLY_DEADLINE_MS = 4500;
/** How often a retry polls the shared cache while another instance answers the first attempt. */
const POLL_MS = 100;

export interface WechatChannelDeps {
  env: Env;
  engine: Engine;
  /** The shared session store (WeChat sessions live under `wechat:<openid>`). */
  store: SessionStore;
  /** Shared state of several instances: seen messages, their replies, the last reply's choices. */
  redis?: SharedRedis;
  logger: Logger;
  /** The shared Prometheus registry; counters are added to it. */
  registry?: Registry;
  now?: () => number;
  /** Time to a passive reply (tests shorten it). */
  deadlineMs?: number;
}

export interface WechatChannel {
  route: Route;
  /** Waits for the messages being answered. */
  close(): Promise<void>;
}

type Mode = 'plaintext' | 'compatibility' | 'security';

/** A counter or histogram from the registry when another channel registered it already, else a new one. */
function shared<T>(registry: Registry | undefined, name: string, create: (registers: Registry[]) => T): T {
  return ((registry?.getSingleMetric(name) as T | undefined) ?? create(registry ? [registry] : [])) as T;
}

function channelMetrics(registry?: Registry) {
  return {
    updates: shared(registry, 'bot_channel_updates_total', (registers) =>
      new Counter({ name: 'bot_channel_updates_total', help: 'Updates received, by channel and type', labelNames: ['channel', 'type'], registers }),
    ),
    replies: shared(registry, 'bot_channel_replies_total', (registers) =>
      new Counter({ name: 'bot_channel_replies_total', help: 'Replies sent, by channel and kind', labelNames: ['channel', 'kind'], registers }),
    ),
    latency: shared(registry, 'wechat_reply_seconds', (registers) =>
      new Histogram({
        name: 'wechat_reply_seconds',
        help: 'Time from a WeChat message to its passive reply',
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 4.5],
        registers,
      }),
    ),
    duplicates: shared(registry, 'wechat_duplicates_total', (registers) =>
      new Counter({ name: 'wechat_duplicates_total', help: 'WeChat retries of a message already taken (answered with the same reply)', registers }),
    ),
    rejected: shared(registry, 'wechat_rejected_total', (registers) =>
      new Counter({ name: 'wechat_rejected_total', help: 'WeChat requests refused, by reason', labelNames: ['reason'], registers }),
    ),
  };
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** Resolves with `work`, or with `late()` if `ms` pass first. */
async function within<T>(work: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((ok) => (timer = setTimeout(() => ok(late()), Math.max(0, ms))));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the WeChat route. `WECHAT_TOKEN` is required; `WECHAT_ENCODING_AES_KEY`
 * (and `…_PREVIOUS` during a rotation) with `WECHAT_APPID` enable encrypted messages.
 */
export function createWechatChannel(deps: WechatChannelDeps): WechatChannel {
  const { env, engine, logger, redis } = deps;
  if (!env.WECHAT_TOKEN) throw new Error('WECHAT_TOKEN is required for the WeChat channel');
  const token: string = env.WECHAT_TOKEN;
  const appId = env.WECHAT_APPID ?? '';
  const keys = [env.WECHAT_ENCODING_AES_KEY, env.WECHAT_ENCODING_AES_KEY_PREVIOUS].filter((k): k is string => !!k).map(aesKeyOf);
  const now = deps.now ?? Date.now;
  const deadlineMs = deps.deadlineMs ?? WECHAT_REPLY_DEADLINE_MS;
  const metrics = channelMetrics(deps.registry);
  const prefix = env.REDIS_PREFIX;
  const lastReplies = redis ? new RedisLastReplyStore(redis, engine.contextTtlMs, prefix) : new MemoryLastReplyStore(engine.contextTtlMs, env.SESSION_MAX_ENTRIES, now);
  const cache: ReplyCache = redis ? new RedisReplyCache(redis, prefix) : new MemoryReplyCache();
  const conversation = createWechatConversation({ engine, store: deps.store, lastReplies, now });
  /** Messages being answered in this process, by dedup key: a retry shares the first attempt. */
  const inFlight = new Map<string, Promise<{ outcome: Outcome; duplicate: boolean }>>();
  let warnedNoKey = false;

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, reason: string) => {
    metrics.rejected.inc({ reason });
    logger.warn({ event: 'wechat_rejected', reason, status }, 'WeChat request refused');
    reject(req, res, status);
  };

  /** The first attempt answers and keeps its reply; a retry gets that reply (waiting for it if needed). */
  function answerOnce(dedupKey: string, fields: Readonly<Record<string, string>>) {
    let entry = inFlight.get(dedupKey);
    if (entry) return { entry, shared: true };
    entry = (async () => {
      const until = performance.now() + deadlineMs;
      for (;;) {
        const claim = await cache.claim(dedupKey);
        if (claim.status === 'first') {
          let outcome: Outcome;
          try {
            outcome = await conversation.handle(fields);
          } catch (err) {
            // Retries get "success" at once instead of waiting for a reply that will not come.
            await cache.complete(dedupKey, null);
            throw err;
          }
          await cache.complete(dedupKey, outcome.content);
          return { outcome, duplicate: false };
        }
        // Taken before, by this instance or another one: the same reply, once the first attempt has it.
        if (claim.status === 'done') return { outcome: { content: claim.content, kind: 'duplicate', topic: null, facet: null }, duplicate: true };
        if (performance.now() + POLL_MS > until) return { outcome: { content: null, kind: 'duplicate', topic: null, facet: null }, duplicate: true };
        await sleep(POLL_MS);
      }
    })();
    inFlight.set(dedupKey, entry);
    const done = entry;
    void done.finally(() => {
      if (inFlight.get(dedupKey) === done) inFlight.delete(dedupKey);
    }).catch(() => {});
    return { entry, shared: false };
  }

  async function handlePost(req: IncomingMessage, res: ServerResponse, url: URL, started: number): Promise<void> {
    const q = url.searchParams;
    const timestamp = q.get('timestamp') ?? '';
    const nonce = q.get('nonce') ?? '';
    const body = await readBody(req, WECHAT_MAX_BODY_BYTES).catch(() => null);
    if (body === 'too-large') return refuse(req, res, 413, 'too_large');
    if (body === null) return refuse(req, res, 400, 'unreadable');

    let mode: Mode = 'plaintext';
    let key: Buffer | null = null;
    let fields: Record<string, string>;
    try {
      fields = parseWechatXml(body.toString('utf8'));
      if (q.get('encrypt_type') === 'aes') {
        if (keys.length === 0) {
          // Compatibility mode without a key configured: read the plaintext copy, answer in plaintext.
          if (!warnedNoKey) logger.warn({ event: 'wechat_no_aes_key' }, 'encrypted WeChat messages arrive but WECHAT_ENCODING_AES_KEY is not set');
          warnedNoKey = true;
          if (!fields.MsgType) return refuse(req, res, 400, 'no_aes_key');
          mode = 'compatibility';
        } else {
          const encrypted = fields.Encrypt;
          if (!encrypted) return refuse(req, res, 400, 'no_encrypt');
          if (!signatureMatches(q.get('msg_signature'), messageSignature(token, timestamp, nonce, encrypted))) {
            return refuse(req, res, 401, 'bad_msg_signature');
          }
          mode = fields.MsgType ? 'compatibility' : 'security';
          const decrypted = decryptWithKeys(keys, encrypted, appId);
          key = decrypted.key;
          fields = parseWechatXml(decrypted.xml);
        }
      }
    } catch (err) {
      if (err instanceof WechatXmlError) return refuse(req, res, 400, `xml_${err.reason.replace(/-/g, '_')}`);
      if (err instanceof WechatCryptoError) return refuse(req, res, 400, err.reason.replace(/-/g, '_'));
      throw err;
    }
    const from = fields.FromUserName;
    const to = fields.ToUserName;
    const type = (fields.MsgType ?? '').toLowerCase();
    if (!from || !to || !type || from.length > 128 || to.length > 128) return refuse(req, res, 400, 'not_a_message');
    const event = type === 'event' ? (fields.Event ?? '').toLowerCase() : '';
    metrics.updates.inc({ channel: 'wechat', type: event ? `event:${event}`.slice(0, 40) : type.slice(0, 20) });

    const dedupKey = fields.MsgId ? `msg:${fields.MsgId}` : `event:${from}:${fields.CreateTime ?? ''}:${event}`;
    const { entry, shared } = answerOnce(dedupKey, fields);
    const late = { outcome: { content: WECHAT_TEXTS.slow, kind: 'slow', topic: null, facet: null }, duplicate: shared };
    const elapsed = performance.now() - started;
    const { outcome, duplicate } = await within(
      entry.then((r) => ({ ...r, duplicate: r.duplicate || shared })),
      deadlineMs - elapsed,
      () => late,
    );

    if (duplicate) metrics.duplicates.inc();
    else metrics.replies.inc({ channel: 'wechat', kind: outcome.kind });
    const seconds = (performance.now() - started) / 1000;
    metrics.latency.observe(seconds);
    logger.info(
      {
        event: 'wechat_reply',
        channel: 'wechat',
        user: hashId(from),
        type: event ? `event:${event}` : type,
        mode,
        kind: outcome.kind,
        topic: outcome.topic,
        facet: outcome.facet,
        duplicate,
        ms: Math.round(seconds * 10_000) / 10,
      },
      'replied',
    );

    if (outcome.content === null) return send(res, 200, 'success');
    const createTime = Math.floor(now() / 1000);
    let xml = textReplyXml({ toUser: from, fromUser: to, createTime, content: outcome.content });
    if (key) {
      const replyNonce = String(randomInt(100_000_000, 1_000_000_000));
      const encrypt = encryptMessage(key, appId, xml);
      xml = encryptedReplyXml({ encrypt, signature: messageSignature(token, String(createTime), replyNonce, encrypt), timestamp: String(createTime), nonce: replyNonce });
    }
    res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' }).end(xml);
  }

  const route: Route = {
    path: env.WECHAT_PATH,
    methods: ['GET', 'POST'],
    async handle(req, res, url) {
      const started = performance.now();
      const q = url.searchParams;
      const timestamp = q.get('timestamp') ?? '';
      const nonce = q.get('nonce') ?? '';
      // Every request, in every mode, carries `signature` over token, timestamp and nonce.
      if (!timestamp || !nonce || !signatureMatches(q.get('signature'), urlSignature(token, timestamp, nonce))) {
        return refuse(req, res, 401, 'bad_signature');
      }
      if (req.method === 'GET') {
        const echostr = q.get('echostr');
        if (echostr === null) return refuse(req, res, 400, 'no_echostr');
        logger.info({ event: 'wechat_url_verified' }, 'WeChat server URL verified');
        return send(res, 200, echostr);
      }
      return handlePost(req, res, url, started);
    },
  };

  return {
    route,
    close: async () => {
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
