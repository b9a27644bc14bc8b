/** The web chat on 127.0.0.1 in this process, and a small client that keeps its cookie. */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createWebChannel, type WebChannelOptions } from '../../../src/adapters/web/channel.js';
import { createHttpServer, type HttpServer } from '../../../src/server/http.js';
import { MemorySessionStore } from '../../../src/session/store.js';
import { createLogger } from '../../../src/log.js';
import { createMetrics } from '../../../src/metrics.js';
import { realEngine } from '../../helpers.js';

export interface WebServer {
  base: string;
  port: number;
  server: HttpServer;
  /** Everything logged so far (JSON lines). */
  logs(): string;
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export async function startWebServer(options: Partial<WebChannelOptions> = {}): Promise<WebServer> {
  const engine = realEngine();
  let logs = '';
  const logger = createLogger('info', new Writable({ write: (chunk, _enc, done) => ((logs += chunk.toString()), done()) }));
  const metrics = createMetrics();
  const web = createWebChannel({ engine, store: new MemorySessionStore({ ttlMs: engine.contextTtlMs }), logger, metrics, ...options });
  const server = createHttpServer({ routes: web.routes, logger, metrics: metrics.registry });
  await server.listen(0, '127.0.0.1');
  const port = (server.server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    server,
    logs: () => logs,
    metrics: () => metrics.registry.metrics(),
    close: async () => {
      await server.close();
      await web.close();
    },
  };
}

export interface ChatResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** A browser-like client: keeps the session cookie it is given (or sends the id in a header). */
export class ChatClient {
  cookie: string | undefined;
  sessionId: string | undefined;

  constructor(
    private readonly base: string,
    private readonly options: { useHeader?: boolean; headers?: Record<string, string> } = {},
  ) {}

  async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<ChatResponse> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.cookie && !this.options.useHeader ? { cookie: this.cookie } : {}),
        ...(this.sessionId && this.options.useHeader ? { 'x-session-id': this.sessionId } : {}),
        ...this.options.headers,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    let parsed: any = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (parsed?.session) this.sessionId = parsed.session;
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** Asks a question (or taps a suggestion) and returns the Reply. */
  async ask(input: string | { topic: string; facet?: string | null }): Promise<any> {
    const r = await this.post('/api/chat', typeof input === 'string' ? { text: input } : input);
    if (r.status !== 200) throw new Error(`status ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body.reply;
  }
}
