/**
 * Running the Telegram bot: long polling (default) or webhook, commands
 * registered at start, graceful stop on SIGINT and SIGTERM.
 */
import type { Telegraf } from 'telegraf';
import type { Env } from '../../config/env.js';
import type { Engine } from '../../engine/engine.js';
import { describeError, type Logger } from '../../log.js';
import { MemorySessionStore, type SessionStore } from '../../session/store.js';
import { SharedRedis, RedisSessionStore } from '../../session/redis.js';
import {
  MemoryFloodGate,
  MemoryUpdateDedup,
  RedisFloodGate,
  RedisUpdateDedup,
  type FloodGate,
  type UpdateDedup,
} from '../../session/guards.js';
import { createMetrics } from '../../metrics.js';
import { ALLOWED_UPDATES, createTelegramBot } from './bot.js';
import { createWebhookServer, MAX_CONCURRENT_UPDATES, type WebhookServer } from './webhook.js';

const COMMANDS = {
  zh: [
    { command: 'start', description: '开始 / 主要话题' },
    { command: 'topics', description: '全部话题' },
    { command: 'contact', description: '官方客服渠道' },
    { command: 'help', description: '怎么提问' },
    { command: 'reset', description: '重新开始对话' },
    { command: 'about', description: '关于本机器人(非官方)' },
  ],
  default: [
    { command: 'start', description: 'Start / main topics' },
    { command: 'topics', description: 'All topics' },
    { command: 'contact', description: 'Official customer-service channels' },
    { command: 'help', description: 'How to ask' },
    { command: 'reset', description: 'Start over' },
    { command: 'about', description: 'About this unofficial bot' },
  ],
};

/** Registers the command menu; a failure (old server, emulator) is logged and tolerated. */
export async function registerCommands(bot: Telegraf, logger: Logger): Promise<void> {
  try {
    await bot.telegram.setMyCommands(COMMANDS.default);
    await bot.telegram.setMyCommands(COMMANDS.zh, { language_code: 'zh' });
  } catch (err) {
    logger.warn({ event: 'set_my_commands_failed', error: describeError(err, [bot.telegram.token]) }, 'could not register commands');
  }
}

export interface RunningBot {
  bot: Telegraf;
  webhook?: WebhookServer;
  stop(reason: string): Promise<void>;
}

export async function runTelegram(env: Env, engine: Engine, logger: Logger): Promise<RunningBot> {
  const metrics = createMetrics();
  const flood = { max: env.FLOOD_MAX_MESSAGES, windowMs: env.FLOOD_WINDOW_SECONDS * 1000 };
  let redis: SharedRedis | undefined;
  let store: SessionStore;
  let floodGate: FloodGate;
  let dedup: UpdateDedup;
  if (env.REDIS_URL) {
    // Shared state for several instances. Redis down at start is allowed: the bot answers
    // without follow-up context and reconnects by itself.
    redis = new SharedRedis({
      url: env.REDIS_URL,
      logger,
      onError: () => metrics.redisErrors.inc(),
      commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    });
    if (!(await redis.connect())) logger.warn({ event: 'redis_down_at_start' }, 'starting without Redis; it will reconnect');
    store = new RedisSessionStore(redis, engine.contextTtlMs, env.REDIS_PREFIX);
    floodGate = new RedisFloodGate(redis, flood, undefined, env.REDIS_PREFIX);
    dedup = new RedisUpdateDedup(redis, undefined, undefined, env.REDIS_PREFIX);
  } else {
    store = new MemorySessionStore({ ttlMs: engine.contextTtlMs, maxEntries: env.SESSION_MAX_ENTRIES });
    floodGate = new MemoryFloodGate(flood);
    dedup = new MemoryUpdateDedup();
  }
  const bot = createTelegramBot({
    token: env.TELEGRAM_BOT_TOKEN!,
    engine,
    store,
    logger,
    floodGate,
    dedup,
    metrics,
    ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}),
  });
  bot.botInfo = await bot.telegram.getMe();
  await registerCommands(bot, logger);
  const allowedUpdates = [...ALLOWED_UPDATES];

  if (env.BOT_MODE === 'webhook') {
    const url = new URL(env.WEBHOOK_URL!);
    const webhook = createWebhookServer({
      path: url.pathname,
      secret: env.WEBHOOK_SECRET!,
      handleUpdate: (update) => bot.handleUpdate(update),
      logger,
      metrics: metrics.registry,
    });
    await new Promise<void>((ok) => webhook.server.listen(env.PORT, env.HOST, ok));
    await bot.telegram.setWebhook(url.href, {
      secret_token: env.WEBHOOK_SECRET!,
      allowed_updates: allowedUpdates,
      max_connections: MAX_CONCURRENT_UPDATES,
      drop_pending_updates: env.DROP_PENDING_UPDATES,
    });
    logger.info({ event: 'started', mode: 'webhook', port: env.PORT, path: url.pathname, bot: bot.botInfo.username }, 'bot running (webhook)');
    return {
      bot,
      webhook,
      stop: async (reason) => {
        logger.info({ event: 'stopping', reason }, 'stopping');
        await webhook.close();
        await redis?.close();
      },
    };
  }

  // Long polling. launch() resolves only when the bot stops, so it is not awaited.
  const stopped = bot.launch({ dropPendingUpdates: env.DROP_PENDING_UPDATES, allowedUpdates }).catch((err) => {
    logger.fatal({ event: 'polling_failed', error: describeError(err, [env.TELEGRAM_BOT_TOKEN]) }, 'polling stopped');
    process.exitCode = 1;
  });
  logger.info({ event: 'started', mode: 'polling', bot: bot.botInfo.username }, 'bot running (long polling)');
  return {
    bot,
    stop: async (reason) => {
      logger.info({ event: 'stopping', reason }, 'stopping');
      bot.stop(reason);
      await stopped;
      await redis?.close();
    },
  };
}
