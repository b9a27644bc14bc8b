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

/** A rejected body is read and thrown away up to this many bytes before the answer … */
export const DRAIN_MAX_BYTES = 8 * 1024 * 1024;
/** … or until the client has sent nothing for this long (it stopped on its own and waits). */
export const DRAIN_STALL_MS = 300;

/**
 * Rejects a request (400, 401, 403, 413, 415, 429 …) and closes the connection: the rest of
 * the body may still be on the wire, and a keep-alive client would otherwise reuse a
 * connection whose next bytes are that body.
 *
 * The answer waits until the client has sent its body (up to DRAIN_MAX_BYTES, or until it
 * stalls for DRAIN_STALL_MS). Node destroys the socket as soon as a `Connection: close`
 * answer is written, and a client still uploading then gets EPIPE or ECONNRESET instead
 * of the status: fetch reports "fetch failed" for a plain 413. Reading first is the
 * lingering close of RFC 9112 §9.6, done without reaching into Node's socket handling.
 */
export function reject(req: IncomingMessage, res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  const answer = () => send(res, status, body, { connection: 'close', ...headers });
  if (req.readableEnded || req.destroyed) return answer();
  let drained = 0;
  let stall: NodeJS.Timeout;
  const done = () => {
    clearTimeout(stall);
    req.off('data', onData).off('end', done).off('error', done).off('close', done);
    answer();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_MAX_BYTES) return done();
    clearTimeout(stall);
    stall = setTimeout(done, DRAIN_STALL_MS);
  };
  stall = setTimeout(done, DRAIN_STALL_MS);
  req.on('data', onData).once('end', done).once('error', done).once('close', done);
  req.resume();
}

/**
 * Reads a request body up to `max` bytes; 'too-large' past that (declared or actual).
 * It never destroys the request: past `max` it stops keeping chunks and returns, and the
 * caller's reject() reads the rest (breaking out of `for await` would destroy the socket,
 * and the client would get no answer at all).
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.resolve('too-large');
  return new Promise((resolve, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      stop();
      resolve('too-large');
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      stop();
      fail(err);
    };
    req.on('data', onData).once('end', onEnd).once('error', onError);
  });
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
