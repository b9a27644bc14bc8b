/**
 * The webhook endpoint: POST <path> with the secret header, served by the
 * shared HTTP server (src/server/http.ts, which adds /healthz and /metrics).
 * The secret is compared in constant time and never logged. A rejected body
 * (401, 413, 400) is answered with `Connection: close`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Update } from 'telegraf/types';
import type { Registry } from 'prom-client';
import type { Logger } from '../../log.js';
import { createHttpServer, readBody, reject, send, type HttpServer, type Route } from '../../server/http.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Updates handled at once; the rest wait their turn. Telegram itself opens at
 * most 40 webhook connections by default (setWebhook max_connections), and a
 * bounded number keeps event-loop lag, and so Redis latency, low under load.
 */
export const MAX_CONCURRENT_UPDATES = 40;
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface WebhookRouteOptions {
  path: string;
  secret: string;
  handleUpdate: (update: Update) => Promise<void>;
  logger: Logger;
  maxBodyBytes?: number;
  maxConcurrentUpdates?: number;
}

export interface WebhookServerOptions extends WebhookRouteOptions {
  /** Prometheus registry served at GET /metrics. */
  metrics?: Registry;
}

/** Constant-time comparison (both sides hashed first, so lengths never leak). */
export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export interface WebhookRoute extends Route {
  /** Updates being handled right now. */
  inFlight(): number;
}

/** The webhook as a Route of the shared HTTP server. */
export function createWebhookRoute(options: WebhookRouteOptions): WebhookRoute {
  const max = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const limit = options.maxConcurrentUpdates ?? MAX_CONCURRENT_UPDATES;
  let inFlight = 0;
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = () => (running < limit ? (running++, Promise.resolve()) : new Promise<void>((ok) => waiting.push(ok)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  return {
    path: options.path,
    methods: ['POST'],
    inFlight: () => inFlight,
    async handle(req, res) {
      if (!secretMatches(req.headers[SECRET_HEADER], options.secret)) {
        options.logger.warn({ event: 'webhook_unauthorized' }, 'webhook request without the right secret');
        return reject(req, res, 401);
      }
      const body = await readBody(req, max).catch(() => null);
      if (body === 'too-large') return reject(req, res, 413);
      if (body === null) return reject(req, res, 400);
      let update: unknown;
      try {
        update = JSON.parse(body.toString('utf8'));
      } catch {
        return reject(req, res, 400);
      }
      if (typeof update !== 'object' || update === null || typeof (update as { update_id?: unknown }).update_id !== 'number') {
        return reject(req, res, 400);
      }
      inFlight++;
      await acquire();
      try {
        await options.handleUpdate(update as Update);
      } catch (err) {
        // bot.catch already logged it; answer 200 so Telegram does not redeliver a poison update forever.
        options.logger.error({ event: 'webhook_update_failed', error: String((err as Error)?.name ?? err) }, 'update failed');
      } finally {
        release();
        inFlight--;
      }
      send(res, 200, '{}');
    },
  };
}

export type WebhookServer = HttpServer;

/** A server with the webhook as its only route (tests; `npm start` shares one server between channels). */
export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  return createHttpServer({
    routes: [createWebhookRoute(options)],
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}
