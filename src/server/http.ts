/**
 * One node:http server for every HTTP channel (Telegram webhook, web chat,
 * WeChat): each channel is a Route, and the server adds GET /healthz and
 * GET /metrics. A rejected request body is answered with `Connection: close`,
 * so a client that sent more than we read never reuses a broken connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';

export interface Route {
  /** Exact path (`/wechat`) or a prefix ending in `/` (`/static/`). */
  path: string;
  /** Methods served; any other gets 405. */
  methods: readonly string[];
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> | void;
}

export interface HttpServerOptions {
  routes: readonly Route[];
  logger: Logger;
  /** Prometheus registry served at GET /metrics. */
  metrics?: Registry;
}

export interface HttpServer {
  server: Server;
  /** Requests being handled right now. */
  inFlight(): number;
  listen(port: number, host: string): Promise<void>;
  /** Stops taking requests and waits for the ones in flight. */
  close(): Promise<void>;
}

/** Sends a small plain-text answer. */
export function send(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
}

/**
 * Rejects a request (400, 401, 403, 413, 415, 429 …) and closes the connection: the rest of
 * the body may still be on the wire, and a keep-alive client would otherwise see ECONNRESET.
 */
export function reject(req: IncomingMessage, res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  req.resume();
  send(res, status, body, { connection: 'close', ...headers });
}

/** Reads a request body up to `max` bytes; 'too-large' past that (declared or actual). */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
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

const matches = (route: Route, pathname: string) =>
  route.path.endsWith('/') && route.path !== '/' ? pathname.startsWith(route.path) : pathname === route.path;

export function createHttpServer(options: HttpServerOptions): HttpServer {
  let inFlight = 0;
  let idle: (() => void) | null = null;

  const server = createServer(async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return reject(req, res, 400);
    }
    if (url.pathname === '/healthz') return req.method === 'GET' || req.method === 'HEAD' ? send(res, 200, 'ok') : send(res, 405);
    if (url.pathname === '/metrics' && options.metrics) {
      if (req.method !== 'GET') return send(res, 405);
      const body = await options.metrics.metrics();
      return void res.writeHead(200, { 'content-type': options.metrics.contentType }).end(body);
    }
    const route = options.routes.find((r) => matches(r, url.pathname));
    if (!route) return send(res, 404);
    if (!route.methods.includes(req.method ?? '')) return reject(req, res, 405, '', { allow: route.methods.join(', ') });
    inFlight++;
    try {
      await route.handle(req, res, url);
    } catch (err) {
      options.logger.error({ event: 'http_handler_failed', path: route.path, error: String((err as Error)?.name ?? err) }, 'request failed');
      if (!res.headersSent) reject(req, res, 500);
      else res.end();
    } finally {
      inFlight--;
      if (inFlight === 0) idle?.();
    }
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  return {
    server,
    inFlight: () => inFlight,
    listen: (port, host) =>
      new Promise<void>((ok, fail) => {
        server.once('error', fail);
        server.listen(port, host, () => {
          server.off('error', fail);
          ok();
        });
      }),
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
