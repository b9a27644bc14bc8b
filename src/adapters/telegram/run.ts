/**
 * Running the Telegram bot: long polling (default) or a webhook route on the
 * process's shared HTTP server, commands registered at start.
 */
import type { Telegraf } from 'telegraf';
import type { Env } from '../../config/env.js';
import type { Engine } from '../../engine/engine.js';
import { describeError, type Logger } from '../../log.js';
import type { Route } from '../../server/http.js';
import type { SharedState } from '../../server/state.js';
import { ALLOWED_UPDATES, createTelegramBot } from './bot.js';
import { createWebhookRoute, MAX_CONCURRENT_UPDATES } from './webhook.js';

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

export interface TelegramChannel {
  bot: Telegraf;
  /** Webhook mode: the route to serve on PORT (before `start`, which calls setWebhook). */
  routes: Route[];
  /** Starts taking updates: setWebhook, or long polling. */
  start(): Promise<void>;
  /** Stops taking updates (polling) and waits for the ones in flight; the HTTP server closes the webhook. */
  close(): Promise<void>;
}

/**
 * The Telegram bot over the process's shared state. Identity and commands are fetched here;
 * the caller serves `routes` and then calls `start()`.
 */
export async function createTelegramChannel(env: Env, engine: Engine, state: SharedState, logger: Logger): Promise<TelegramChannel> {
  const bot = createTelegramBot({
    token: env.TELEGRAM_BOT_TOKEN!,
    engine,
    store: state.store,
    logger,
    floodGate: state.floodGate,
    dedup: state.dedup,
    metrics: state.metrics,
    ...(env.TELEGRAM_API_ROOT ? { apiRoot: env.TELEGRAM_API_ROOT } : {}),
  });
  bot.botInfo = await bot.telegram.getMe();
  await registerCommands(bot, logger);
  const allowedUpdates = [...ALLOWED_UPDATES];

  if (env.BOT_MODE === 'webhook') {
    const url = new URL(env.WEBHOOK_URL!);
    const route = createWebhookRoute({
      path: url.pathname,
      secret: env.WEBHOOK_SECRET!,
      handleUpdate: (update) => bot.handleUpdate(update),
      logger,
    });
    return {
      bot,
      routes: [route],
      start: async () => {
        await bot.telegram.setWebhook(url.href, {
          secret_token: env.WEBHOOK_SECRET!,
          allowed_updates: allowedUpdates,
          max_connections: MAX_CONCURRENT_UPDATES,
          drop_pending_updates: env.DROP_PENDING_UPDATES,
        });
        logger.info({ event: 'started', mode: 'webhook', port: env.PORT, path: url.pathname, bot: bot.botInfo!.username }, 'bot running (webhook)');
      },
      close: async () => {},
    };
  }

  // Long polling. launch() resolves only when the bot stops, so it is not awaited.
  let stopped: Promise<void> | undefined;
  return {
    bot,
    routes: [],
    start: async () => {
      stopped = bot.launch({ dropPendingUpdates: env.DROP_PENDING_UPDATES, allowedUpdates }).catch((err) => {
        logger.fatal({ event: 'polling_failed', error: describeError(err, [env.TELEGRAM_BOT_TOKEN]) }, 'polling stopped');
        process.exitCode = 1;
      });
      logger.info({ event: 'started', mode: 'polling', bot: bot.botInfo!.username }, 'bot running (long polling)');
    },
    close: async () => {
      if (!stopped) return;
      bot.stop('stop');
      await stopped;
    },
  };
}
