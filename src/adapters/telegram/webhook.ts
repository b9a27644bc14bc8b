/**
 * The webhook HTTP server: POST <path> with the secret header, GET /healthz.
 * The secret is compared in constant time and never logged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Update } from 'telegraf/types';
import type { Logger } from '../../log.js';
import type { Registry } from 'prom-client';

export const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Updates handled at once; the rest wait their turn. Telegram itself opens at
 * most 40 webhook connections by default (setWebhook max_connections), and a
 * bounded number keeps event-loop lag, and so Redis latency, low under load.
 */
export const MAX_CONCURRENT_UPDATES = 40;
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface WebhookServerOptions {
  path: string;
  secret: string;
  handleUpdate: (update: Update) => Promise<void>;
  logger: Logger;
  maxBodyBytes?: number;
  maxConcurrentUpdates?: number;
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

export interface WebhookServer {
  server: Server;
  /** Updates being handled right now. */
  inFlight(): number;
  /** Stops taking requests and waits for the ones in flight. */
  close(): Promise<void>;
}

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const max = options.maxBodyBytes ?? MAX_BODY_BYTES;
  let inFlight = 0;
  let idle: (() => void) | null = null;
  const limit = options.maxConcurrentUpdates ?? MAX_CONCURRENT_UPDATES;
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = () => (running < limit ? (running++, Promise.resolve()) : new Promise<void>((ok) => waiting.push(ok)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  const send = (res: ServerResponse, status: number, body = '') => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  };

  async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return 'too-large';
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > max) return 'too-large';
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return req.method === 'GET' || req.method === 'HEAD' ? send(res, 200, 'ok') : send(res, 405);
    if (url.pathname === '/metrics' && options.metrics) {
      if (req.method !== 'GET') return send(res, 405);
      const body = await options.metrics.metrics();
      return void res.writeHead(200, { 'content-type': options.metrics.contentType }).end(body);
    }
    if (url.pathname !== options.path) return send(res, 404);
    if (req.method !== 'POST') return send(res, 405);
    if (!secretMatches(req.headers[SECRET_HEADER], options.secret)) {
      options.logger.warn({ event: 'webhook_unauthorized' }, 'webhook request without the right secret');
      req.resume();
      return send(res, 401);
    }
    const body = await readBody(req).catch(() => null);
    if (body === 'too-large') {
      req.resume();
      return send(res, 413);
    }
    if (body === null) return send(res, 400);
    let update: unknown;
    try {
      update = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400);
    }
    if (typeof update !== 'object' || update === null || typeof (update as { update_id?: unknown }).update_id !== 'number') {
      return send(res, 400);
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
      if (inFlight === 0) idle?.();
    }
    send(res, 200, '{}');
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  return {
    server,
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          if (inFlight === 0) done();
          else idle = done;
        });
        server.closeIdleConnections();
      }),
  };
}
