/**
 * The Telegram adapter: updates in, engine replies out as HTML with inline
 * keyboards. Everything Telegram lives under src/adapters/telegram/.
 */
import { Telegraf, TelegramError, type Context } from 'telegraf';
import type { UserFromGetMe, InlineQueryResultArticle, Message } from 'telegraf/types';
import type { Engine } from '../../engine/engine.js';
import type { Input, Reply } from '../../engine/types.js';
import type { SessionStore } from '../../session/store.js';
import { KeyedQueue } from '../../session/keyed-queue.js';
import { renderHtml } from '../../render/html.js';
import { describeError, hashId, logHashKeyed, type Logger } from '../../log.js';
import { decodeCallback, replyKeyboard } from './keyboard.js';
import type { FloodGate, UpdateDedup } from '../../session/guards.js';
import type { Metrics } from '../../metrics.js';
import { recordFeedback } from '../../curation/engine-handle.js';
import { Counter } from 'prom-client';

/** The update types the bot asks Telegram for. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'inline_query'] as const;

export interface TelegramBotOptions {
  token: string;
  engine: Engine;
  store: SessionStore;
  logger: Logger;
  apiRoot?: string;
  /** Preset bot identity (tests), so no getMe call is needed. */
  botInfo?: UserFromGetMe;
  /** Retries of a failed Bot API call (429 honours retry_after; network errors and 5xx back off). */
  retry?: { attempts: number; baseDelayMs: number; maxRetryAfterMs: number };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Per-chat flood control (none when absent). */
  floodGate?: FloodGate;
  /** Skips update ids already handled (Telegram redelivers after a timeout). */
  dedup?: UpdateDedup;
  metrics?: Metrics;
}

const TEXTS = {
  nonText: '我只能读懂文字。请用文字把问题发给我,例如“微信怎么解除实名认证”。',
  reset: '好的,已经重新开始。直接发问题给我吧。',
  feedbackThanks: '谢谢反馈!',
  staleButton: '这个按钮已经失效了,请直接发问题给我。',
  slowDown: '消息有点多,我先歇一会儿。请稍等一分钟再发,我会接着回答。',
  stored:
    '我保存什么:只保存当前对话的话题和追问进度,最多 {ttl} 分钟无操作后自动删除;不保存你的聊天内容。日志里没有消息内容;聊天 ID 只以带密钥的哈希(HMAC)记录,只看日志推不出你的 ID。',
  /** Added when LOG_HASH_KEY is unset (src/log.ts): the key is made anew at each start. */
  storedRandomKey: '目前没有设置固定密钥,密钥每次重启都会换新。',
};

const sleepMs = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** True for errors of the connection (not an answer from Telegram). */
function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string; type?: string })?.code ?? (err as { type?: string })?.type;
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'system', 'request-timeout'].includes(
    String(code),
  );
}

export function createTelegramBot(options: TelegramBotOptions): Telegraf {
  const { engine, store, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepMs;
  const retry = options.retry ?? { attempts: 3, baseDelayMs: 300, maxRetryAfterMs: 60_000 };
  const bot = new Telegraf(options.token, {
    telegram: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), webhookReply: false },
  });
  if (options.botInfo) bot.botInfo = options.botInfo;
  const queue = new KeyedQueue();
  const feedbackCounter = metrics ? feedbackTotal(metrics) : undefined;
  const ttlMinutes = Math.round(engine.contextTtlMs / 60_000);

  // Sending: honour 429 retry_after, back off on network errors and 5xx, then give up (logged).
  // Telegraf makes a Telegram client per update, so each one is wrapped (bot.telegram too).
  const withRetry = (telegram: Telegraf['telegram']) => {
    const call = telegram.callApi.bind(telegram);
    telegram.callApi = (async (method: string, payload: unknown, opts: unknown) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await call(method as never, payload as never, opts as never);
        } catch (err) {
          const last = attempt >= retry.attempts;
          if (err instanceof TelegramError && err.code === 429 && !last) {
            const after = Math.min(((err.parameters?.retry_after ?? 1) as number) * 1000, retry.maxRetryAfterMs);
            metrics?.rateLimited.inc();
            logger.warn({ event: 'rate_limited', method, retry_after_ms: after }, 'Telegram asked to slow down');
            await sleep(after);
            continue;
          }
          const transient = isNetworkError(err) || (err instanceof TelegramError && err.code >= 500);
          if (transient && !last && method !== 'getUpdates') {
            await sleep(retry.baseDelayMs * 2 ** attempt);
            continue;
          }
          throw err;
        }
      }
    }) as typeof telegram.callApi;
  };
  withRetry(bot.telegram);
  bot.use(async (ctx, next) => {
    if (ctx.telegram !== bot.telegram) withRetry(ctx.telegram);
    metrics?.updates.inc({ type: ctx.updateType });
    if (options.dedup && typeof ctx.update.update_id === 'number' && !(await options.dedup.first(ctx.update.update_id))) {
      metrics?.dropped.inc({ reason: 'duplicate' });
      logger.info({ event: 'duplicate_update', update: ctx.updateType }, 'update already handled');
      return;
    }
    return next();
  });

  /** Flood control: true when this message must not be answered (the first time, a polite warning). */
  async function flooded(ctx: Context): Promise<boolean> {
    if (!options.floodGate || !ctx.chat) return false;
    const verdict = await options.floodGate.hit(String(ctx.chat.id));
    if (verdict === 'ok') return false;
    metrics?.dropped.inc({ reason: 'flood' });
    if (verdict === 'warn') {
      logger.warn({ event: 'flood', chat: hashId(ctx.chat.id) }, 'chat is sending too fast');
      await ctx.reply(TEXTS.slowDown);
    }
    return true;
  }

  const keyOf = (chatId: number | string, userId: number | string | undefined) => `${chatId}:${userId ?? chatId}`;

  /** Sends a reply: HTML parts under 4096 characters, the keyboard on the last. */
  async function send(ctx: Context, reply: Reply): Promise<void> {
    const parts = renderHtml(reply);
    const keyboard = replyKeyboard(reply);
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      await ctx.reply(parts[i]!, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...(last && keyboard.length ? { reply_markup: { inline_keyboard: keyboard } } : {}),
      });
    }
  }

  /** Runs one turn for a chat member, one at a time per chat and user. */
  async function turn(ctx: Context, input: Input | ((key: string) => Promise<Reply | null>)): Promise<void> {
    const chat = ctx.chat;
    if (!chat) return;
    if (await flooded(ctx)) return;
    const key = keyOf(chat.id, ctx.from?.id);
    const started = performance.now();
    await queue.run(key, async () => {
      let reply: Reply | null;
      if (typeof input === 'function') reply = await input(key);
      else {
        const result = engine.respond(await store.get(key), input, now());
        await store.set(key, result.session);
        reply = result.reply;
      }
      if (reply) await send(ctx, reply);
      const seconds = (performance.now() - started) / 1000;
      metrics?.replies.inc({ kind: reply?.kind ?? 'none' });
      metrics?.latency.observe({ kind: reply?.kind ?? 'none' }, seconds);
      logger.info(
        {
          event: 'reply',
          update: ctx.updateType,
          chat: hashId(chat.id),
          chat_type: chat.type,
          kind: reply?.kind ?? null,
          topic: reply?.topic ?? null,
          facet: reply?.facet ?? null,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'replied',
      );
    });
  }

  /** In groups the bot answers only commands, mentions of it, and replies to it. */
  function addressedText(ctx: Context, message: Message.TextMessage): string | null {
    if (ctx.chat?.type === 'private') return message.text;
    const username = ctx.botInfo?.username;
    const mentioned =
      !!username &&
      (message.entities ?? []).some(
        (e) => e.type === 'mention' && message.text.slice(e.offset, e.offset + e.length).toLowerCase() === `@${username.toLowerCase()}`,
      );
    const replyToBot = message.reply_to_message?.from?.id === ctx.botInfo?.id;
    if (!mentioned && !replyToBot) return null;
    return username ? message.text.replace(new RegExp(`@${username}`, 'gi'), ' ').trim() : message.text;
  }

  const commandPayload = (ctx: Context) => {
    const text = (ctx.message as Message.TextMessage | undefined)?.text ?? '';
    return text.replace(/^\/\w+(@\w+)?\s*/, '').trim();
  };

  bot.start((ctx) => {
    // Deep link t.me/<bot>?start=account_delete opens that topic.
    const topic = commandPayload(ctx).replace(/_/g, '.');
    if (topic && engine.topics.some((t) => t.id === topic)) return turn(ctx, { topic });
    return turn(ctx, async (key) => {
      await store.delete(key);
      return engine.welcome();
    });
  });
  bot.help((ctx) => turn(ctx, { topic: 'meta.help' }));
  bot.command('topics', (ctx) => turn(ctx, async () => engine.topicsMenu()));
  bot.command('contact', (ctx) => turn(ctx, { topic: 'support.contact', facet: 'contact' }));
  bot.command('about', (ctx) =>
    turn(ctx, async (key) => {
      const about = engine.respond(await store.get(key), { topic: 'meta.about' }, now()).reply;
      const stored = TEXTS.stored.replace('{ttl}', String(ttlMinutes)) + (logHashKeyed() ? '' : TEXTS.storedRandomKey);
      return { ...about, blocks: [...about.blocks, { type: 'note', text: stored }] };
    }),
  );
  bot.command('reset', (ctx) =>
    turn(ctx, async (key) => {
      await store.delete(key);
      await ctx.reply(TEXTS.reset);
      return null;
    }),
  );

  bot.on('text', (ctx) => {
    const text = addressedText(ctx, ctx.message);
    if (text === null) return;
    return turn(ctx, text);
  });
  bot.on('edited_message', (ctx) => {
    const message = ctx.editedMessage as Message.TextMessage;
    if (typeof message.text !== 'string') return;
    const text = addressedText(ctx, message);
    if (text === null) return;
    return turn(ctx, text);
  });
  bot.on('message', (ctx) => {
    // Photos, stickers, voice, documents, locations…: ask for text (in groups only when replied to).
    const replyTo = 'reply_to_message' in ctx.message ? ctx.message.reply_to_message : undefined;
    if (ctx.chat.type !== 'private' && replyTo?.from?.id !== ctx.botInfo?.id) return;
    return flooded(ctx).then((stop) => (stop ? undefined : ctx.reply(TEXTS.nonText)));
  });

  bot.on('callback_query', async (ctx) => {
    const data = 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
    const action = decodeCallback(data);
    if (!action || !engine.knows(action.topic)) {
      await ctx.answerCbQuery(TEXTS.staleButton).catch((err) => logger.warn({ event: 'answer_callback_failed', error: describeError(err, [options.token]) }));
      return;
    }
    if (action.type === 'feedback') {
      logger.info({ event: 'feedback', topic: action.topic, useful: action.useful }, 'feedback');
      // Counted by topic only (as the web chat does); a 👎 on the last answer logs its question when the log is on.
      feedbackCounter?.inc({ channel: 'telegram', topic: action.topic, useful: String(action.useful) });
      await ctx.answerCbQuery(TEXTS.feedbackThanks);
      if (ctx.chat) recordFeedback(engine, await store.get(keyOf(ctx.chat.id, ctx.from?.id)), action.topic, action.useful);
      return;
    }
    // Answer the callback first (it stops the spinner), then reply in the same context.
    await ctx.answerCbQuery().catch((err) => logger.warn({ event: 'answer_callback_failed', error: describeError(err, [options.token]) }));
    await turn(ctx, { topic: action.topic, facet: action.facet });
  });

  bot.on('inline_query', async (ctx) => {
    const results = inlineResults(engine, ctx.inlineQuery.query, now());
    await ctx.answerInlineQuery(results, { cache_time: 300, is_personal: false });
  });

  // Last in line: update types no handler above took (polls, member changes, new kinds).
  bot.use((ctx) => {
    logger.info({ event: 'ignored_update', update: ctx.updateType }, 'update type not handled');
  });

  bot.catch((err, ctx) => {
    // A failing update never stops the bot. Never log the update itself: it holds the user's text.
    logger.error(
      {
        event: 'update_failed',
        update: ctx.updateType,
        chat: ctx.chat ? hashId(ctx.chat.id) : null,
        error: err instanceof TelegramError ? `${err.code} ${err.description}` : describeError(err, [options.token]),
      },
      'update failed',
    );
  });

  return bot;
}

/** bot_feedback_total, shared with the web chat's (whichever channel registers it first). */
function feedbackTotal(metrics: Metrics): Counter<'channel' | 'topic' | 'useful'> {
  const name = 'bot_feedback_total';
  return ((metrics.registry.getSingleMetric(name) as Counter<'channel' | 'topic' | 'useful'> | undefined) ??
    new Counter({ name, help: 'Feedback (👍 useful=true, 👎 useful=false) by channel and topic', labelNames: ['channel', 'topic', 'useful'], registers: [metrics.registry] })) as Counter<
    'channel' | 'topic' | 'useful'
  >;
}

/** Up to 3 shareable answers for an inline query ("@bot 注销"). */
export function inlineResults(engine: Engine, query: string, now: number): InlineQueryResultArticle[] {
  const text = query.trim();
  const topics = text
    ? engine
        .respond(null, text, now)
        .candidates.filter((c) => engine.topics.some((t) => t.id === c.topic))
        .slice(0, 3)
        .map((c) => c.topic)
    : engine.welcome().suggestions.map((s) => s.topic).slice(0, 3);
  return topics.map((topic) => {
    const reply = engine.respond(null, { topic }, now).reply;
    const summary = reply.blocks.find((b) => b.type === 'paragraph');
    return {
      type: 'article',
      id: topic,
      title: reply.title ?? topic,
      description: summary && 'text' in summary ? summary.text.split('\n')[0]!.slice(0, 120) : '',
      input_message_content: { message_text: renderHtml(reply)[0]!, parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
    };
  });
}

