/**
 * `npm run web`: the web chat alone, on http://127.0.0.1:3000 with no
 * configuration (PORT and HOST change it). REDIS_URL shares its sessions and
 * rate limits with other instances; `npm start` with WEB_PORT runs it beside
 * the other channels.
 */
import { boot } from '../boot.js';
import { createLogger, describeError } from '../log.js';
import { createHttpServer } from '../server/http.js';
import { createSharedState } from '../server/state.js';
import { createWebChannel, webChannelOptions } from '../adapters/web/channel.js';
import { createCuration } from '../curation/runtime.js';

export const DEFAULT_WEB_PORT = 3000;

const { env, engine } = boot();
// PORT and HOST have defaults for the webhook (8080, all interfaces); the web chat's own are local.
const port = process.env.PORT ? env.PORT : DEFAULT_WEB_PORT;
const host = process.env.HOST ? env.HOST : '127.0.0.1';
const logger = createLogger(env.LOG_LEVEL);
const state = await createSharedState(env, engine, logger);
// SIGHUP (and CONTENT_WATCH) reload the content; QUESTION_LOG=on logs what could not be answered.
const curation = createCuration({ env, engine, logger, registry: state.metrics.registry, ...(state.redis ? { redis: state.redis } : {}), reload: true });
const web = createWebChannel(webChannelOptions(env, curation.channel('web'), state, logger));
const server = createHttpServer({ routes: web.routes, logger, metrics: state.metrics.registry });
try {
  await server.listen(port, host);
} catch (err) {
  const error = describeError(err);
  logger.fatal({ event: 'start_failed', error }, 'could not start the web chat');
  process.stderr.write(`realname-helper: could not start the web chat on ${host}:${port}: ${error}\n`);
  process.exit(1);
}
const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
logger.info({ event: 'started', channel: 'web', port, host }, 'web chat running');
process.stdout.write(`web chat: http://${shown}:${port}/  (Ctrl-C to stop)\n`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ event: 'stopping', reason: signal }, 'stopping');
  Promise.all([server.close(), web.close()])
    .then(() => curation.close())
    .then(() => state.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
