/**
 * `npm start`: every configured channel in one process — Telegram with
 * TELEGRAM_BOT_TOKEN, WeChat with WECHAT_TOKEN, the web chat with WEB_PORT — over one shared state (one
 * SessionStore, one Redis connection, one metrics registry). Routes that
 * channels serve on PORT share one HTTP server (with /healthz and /metrics);
 * the web chat has its own on WEB_PORT, or joins that one when WEB_PORT equals
 * PORT. With no channel configured: the terminal chat (the embedded default).
 */
import { boot } from './boot.js';
import { runTerminalChat } from './adapters/terminal/chat.js';
import { createLogger, describeError, type Logger } from './log.js';
import { createHttpServer, type HttpServer, type Route } from './server/http.js';
import { createSharedState, type SharedState } from './server/state.js';
import { createCuration, type Curation } from './curation/runtime.js';

/** One channel of this process. */
interface Channel {
  name: string;
  /** Served on PORT by the process's shared HTTP server. */
  routes?: Route[];
  /** Served on a port of its own. */
  ownServer?: { port: number; routes: Route[] };
  /** Called once every route is served (Telegram calls setWebhook or starts polling here). */
  start?(): Promise<void>;
  /** Stops taking input and waits for the work in flight. */
  close(): Promise<void>;
}

const { env, engine } = boot();
/** Never printed or logged. */
const secrets = [env.TELEGRAM_BOT_TOKEN, env.WEBHOOK_SECRET, env.WECHAT_TOKEN, env.WECHAT_ENCODING_AES_KEY, env.WECHAT_APPSECRET];

/** The configured channels, in start order. A new channel is one more entry here. */
async function createChannels(state: SharedState, curation: Curation, logger: Logger): Promise<Channel[]> {
  const channels: Channel[] = [];
  if (env.TELEGRAM_BOT_TOKEN) {
    const { createTelegramChannel } = await import('./adapters/telegram/run.js');
    const telegram = await createTelegramChannel(env, curation.channel('telegram'), state, logger);
    channels.push({ name: 'Telegram bot', routes: telegram.routes, start: telegram.start, close: telegram.close });
  }
  if (env.WECHAT_TOKEN) {
    const { createWechatChannel } = await import('./adapters/wechat/channel.js');
    const { store, redis, metrics } = state;
    const wechat = createWechatChannel({ env, engine: curation.channel('wechat'), store, ...(redis ? { redis } : {}), logger, registry: metrics.registry });
    channels.push({ name: 'WeChat Official Account', routes: [wechat.route], close: wechat.close });
  }
  if (env.WEB_PORT) {
    const { createWebChannel, webChannelOptions } = await import('./adapters/web/channel.js');
    const web = createWebChannel(webChannelOptions(env, curation.channel('web'), state, logger));
    const served = env.WEB_PORT === env.PORT ? { routes: web.routes } : { ownServer: { port: env.WEB_PORT, routes: web.routes } };
    channels.push({ name: 'web chat', ...served, close: web.close });
  }
  return channels;
}

async function runChannels(): Promise<void> {
  const logger = createLogger(env.LOG_LEVEL);
  const servers: HttpServer[] = [];
  let state: SharedState | undefined;
  let curation: Curation | undefined;
  let channels: Channel[] = [];
  let starting = 'the channels';
  const serve = async (routes: Route[], port: number) => {
    const server = createHttpServer({ routes, logger, metrics: state!.metrics.registry });
    servers.push(server);
    await server.listen(port, env.HOST);
    logger.info({ event: 'listening', port, host: env.HOST, paths: routes.map((r) => r.path) }, 'HTTP server listening');
  };
  try {
    state = await createSharedState(env, engine, logger);
    // One engine handle for every channel: SIGHUP (and CONTENT_WATCH) reload the content into it.
    curation = createCuration({ env, engine, logger, registry: state.metrics.registry, ...(state.redis ? { redis: state.redis } : {}), reload: true });
    channels = await createChannels(state, curation, logger);
    const onPort = channels.flatMap((c) => c.routes ?? []);
    if (onPort.length) await serve(onPort, env.PORT);
    for (const c of channels) if (c.ownServer) await serve(c.ownServer.routes, c.ownServer.port);
    for (const c of channels) {
      starting = `the ${c.name}`;
      await c.start?.();
    }
  } catch (err) {
    // Never print the token: Telegraf errors name the method, not the URL.
    const error = describeError(err, secrets);
    logger.fatal({ event: 'start_failed', error }, `could not start ${starting}`);
    process.stderr.write(`realname-helper: could not start ${starting}: ${error}\n`);
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'stopping', reason: signal }, 'stopping');
    // Stop taking requests and updates, finish the ones in flight, then let go of Redis; exit 0.
    Promise.all([...servers.map((s) => s.close()), ...channels.map((c) => c.close())])
      .then(() => curation?.close())
      .then(() => state?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (env.TELEGRAM_BOT_TOKEN || env.WECHAT_TOKEN || env.WEB_PORT) {
  await runChannels();
} else {
  // JSON logs would interleave with the chat: only warnings and errors (a failed reload) go to stderr.
  const logger = createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL);
  const curation = createCuration({ env, engine, logger, reload: true });
  await runTerminalChat(curation.channel('terminal'), {
    input: process.stdin,
    output: process.stdout,
    interactive: Boolean(process.stdin.isTTY),
  });
  await curation.close();
}
