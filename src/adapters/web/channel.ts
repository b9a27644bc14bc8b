/**
 * The web chat: a page for phones and WeChat's in-app browser, and a JSON API
 * that answers with the engine's structured Reply. Routes of the shared HTTP
 * server (src/server/http.ts); the page renders every Reply as DOM text.
 *
 * Sessions are an opaque random id in an HttpOnly, SameSite=Lax cookie, or in
 * the `X-Session-Id` header when cookies do not persist (the page keeps the id
 * in memory). State lives in the process's SessionStore, like every channel.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import type { Env } from '../../config/env.js';
import type { Engine } from '../../engine/engine.js';
import { FACETS, type Input, type Reply } from '../../engine/types.js';
import { hashId, type Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import { readBody, reject, type Route } from '../../server/http.js';
import type { SharedState } from '../../server/state.js';
import { MemoryFloodGate, type FloodGate, type FloodOptions } from '../../session/guards.js';
import { KeyedQueue } from '../../session/keyed-queue.js';
import type { SessionStore } from '../../session/store.js';
import { loadAssets, type Asset } from './assets.js';
import { recordFeedback } from '../../curation/engine-handle.js';

/** Largest /api body accepted; a question is far shorter. */
export const MAX_API_BODY_BYTES = 8 * 1024;
export const SESSION_COOKIE = 'rh_sid';
export const SESSION_HEADER = 'x-session-id';
/** The per-address limit is this many times the per-session one: many people can share an address (NAT). */
export const ADDRESS_LIMIT_FACTOR = 10;

const SESSION_ID_RE = /^[A-Za-z0-9_-]{43}$/;
const TOPIC_RE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/** What the page shows for a rejected request (JSON `message`). */
const MESSAGES = {
  rateLimited: '消息有点多,请稍等一分钟再发,我会接着回答。',
  tooLarge: '这条消息太长了,请简短一些再发。',
  badJson: '请求格式不对,请刷新页面后再试。',
  badType: '请求格式不对(需要 application/json),请刷新页面后再试。',
  badInput: '没有看懂这个请求,请刷新页面后再试。',
  crossSite: '请直接在本页面提问。',
} as const;

export interface WebLimits {
  /** Requests per window from one session. */
  session: FloodOptions;
  /** Requests per window from one client address. */
  address: FloodOptions;
}

export interface WebChannelOptions {
  engine: Engine;
  store: SessionStore;
  logger: Logger;
  metrics?: Metrics;
  /** Makes the rate limits (memory by default; SharedState's shares them through Redis). */
  createFloodGate?: (options: FloodOptions) => FloodGate;
  limits?: WebLimits;
  /** CSP frame-ancestors sources (WEB_FRAME_ANCESTORS); none may embed the page when empty. */
  frameAncestors?: string;
  /** Marks the cookie `Secure` always (an https WEB_URL); it is also set for X-Forwarded-Proto: https. */
  secureCookie?: boolean;
  now?: () => number;
}

export interface WebChannel {
  routes: Route[];
  close(): Promise<void>;
}

/** The options `npm start` and `npm run web` derive from the environment and the shared state. */
export function webChannelOptions(env: Env, engine: Engine, state: SharedState, logger: Logger): WebChannelOptions {
  const windowMs = env.FLOOD_WINDOW_SECONDS * 1000;
  return {
    engine,
    store: state.store,
    logger,
    metrics: state.metrics,
    createFloodGate: state.createFloodGate,
    limits: {
      session: { max: env.FLOOD_MAX_MESSAGES, windowMs },
      address: { max: env.FLOOD_MAX_MESSAGES * ADDRESS_LIMIT_FACTOR, windowMs },
    },
    ...(env.WEB_FRAME_ANCESTORS ? { frameAncestors: env.WEB_FRAME_ANCESTORS } : {}),
    secureCookie: env.WEB_URL?.startsWith('https:') ?? false,
  };
}

/** Valid CSP frame-ancestors sources from a space- or comma-separated list; anything else is dropped. */
export function frameAncestorSources(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .filter((s) => /^(https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?|https?:|'self'|'none')$/.test(s));
}

/** Security headers of the page and its files (API answers, being JSON, carry nosniff and no-store). */
export function securityHeaders(frameAncestors?: string): Record<string, string> {
  const ancestors = frameAncestorSources(frameAncestors);
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    `frame-ancestors ${ancestors.length ? ancestors.join(' ') : "'none'"}`,
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    ...(ancestors.length ? {} : { 'x-frame-options': 'DENY' }),
  };
}

/** The client's address: the socket peer, or the last X-Forwarded-For hop when the peer is a local proxy. */
export function clientAddress(req: IncomingMessage): string {
  const peer = req.socket.remoteAddress ?? '';
  const local = /^(127\.|::1$|::ffff:127\.)/.test(peer);
  const forwarded = local ? req.headers['x-forwarded-for'] : undefined;
  const hop = typeof forwarded === 'string' ? forwarded.split(',').pop()!.trim() : '';
  return addressKey(hop || peer);
}

/** IPv4 as is; IPv6 by its /64 (one household or phone holds a whole /64). */
export function addressKey(address: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (v4) return v4[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':') + '::/64';
}

const cookieValue = (header: string | undefined, name: string): string | undefined => {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
};

/** A request's session id (cookie first, then header) or a new one. */
function sessionIdOf(req: IncomingMessage): { id: string; fresh: boolean } {
  const fromCookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
  if (fromCookie && SESSION_ID_RE.test(fromCookie)) return { id: fromCookie, fresh: false };
  const fromHeader = req.headers[SESSION_HEADER];
  if (typeof fromHeader === 'string' && SESSION_ID_RE.test(fromHeader)) return { id: fromHeader, fresh: false };
  return { id: randomBytes(32).toString('base64url'), fresh: true };
}

/** The store key of a session id: hashed, so whoever reads the store cannot take over a conversation. */
const storeKey = (id: string) => 'web:' + createHash('sha256').update(id).digest('base64url').slice(0, 32);

type ChatRequest = { input: Input; type: 'web_text' | 'web_button' } | { command: 'topics' | 'reset'; type: 'web_command' };

/** Validates a /api/chat body: `{text}`, `{topic, facet?}` or `{command}`. */
export function parseChatRequest(body: unknown): ChatRequest | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  if (typeof b.text === 'string') return { input: b.text, type: 'web_text' };
  if (typeof b.topic === 'string') {
    if (b.topic.length > 64 || !TOPIC_RE.test(b.topic)) return null;
    const facet = b.facet ?? null;
    if (facet !== null && !(typeof facet === 'string' && (FACETS as readonly string[]).includes(facet))) return null;
    return { input: { topic: b.topic, facet }, type: 'web_button' };
  }
  if (b.command === 'topics' || b.command === 'reset') return { command: b.command, type: 'web_command' };
  return null;
}

const json = (body: unknown) => JSON.stringify(body);

/** Builds the web chat's routes. */
export function createWebChannel(options: WebChannelOptions): WebChannel {
  const { engine, store, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const makeGate = options.createFloodGate ?? ((o: FloodOptions) => new MemoryFloodGate(o));
  const limits = options.limits ?? {
    session: { max: 20, windowMs: 60_000 },
    address: { max: 20 * ADDRESS_LIMIT_FACTOR, windowMs: 60_000 },
  };
  const sessionGate = makeGate(limits.session);
  const addressGate = makeGate(limits.address);
  const retryAfter = String(Math.ceil(limits.session.windowMs / 1000));
  const queue = new KeyedQueue();
  const assets = loadAssets({ welcome: engine.welcome() });
  const security = securityHeaders(options.frameAncestors);
  const cookieMaxAge = Math.max(60, Math.round(engine.contextTtlMs / 1000));
  const counters = metrics ? webCounters(metrics.registry) : undefined;

  // JSON is never rendered as a document: nosniff and no caching are what it needs.
  const apiHeaders = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  const fail = (req: IncomingMessage, res: ServerResponse, status: number, error: string, message: string, extra: Record<string, string> = {}) =>
    reject(req, res, status, json({ error, message }), { ...apiHeaders, ...extra });

  const cookieHeader = (req: IncomingMessage, id: string) => {
    const secure = options.secureCookie || req.headers['x-forwarded-proto'] === 'https';
    return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${cookieMaxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  };

  /**
   * Checks what every API request needs: same-site, JSON, a body within the cap, the rate
   * limits. Answers the request itself and returns null when it fails.
   */
  async function admit(req: IncomingMessage, res: ServerResponse): Promise<{ body: unknown; id: string; key: string } | null> {
    // A page of another site cannot use someone's session (the cookie is SameSite=Lax too).
    if (req.headers['sec-fetch-site'] === 'cross-site') {
      fail(req, res, 403, 'cross_site', MESSAGES.crossSite);
      return null;
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      fail(req, res, 415, 'content_type', MESSAGES.badType);
      return null;
    }
    const raw = await readBody(req, MAX_API_BODY_BYTES).catch(() => null);
    if (raw === 'too-large') {
      fail(req, res, 413, 'too_large', MESSAGES.tooLarge);
      return null;
    }
    let body: unknown;
    try {
      if (raw === null) throw new Error('unreadable body');
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      fail(req, res, 400, 'bad_json', MESSAGES.badJson);
      return null;
    }
    const { id } = sessionIdOf(req);
    const key = storeKey(id);
    const [bySession, byAddress] = await Promise.all([sessionGate.hit(`web:s:${key}`), addressGate.hit(`web:a:${storeKey(clientAddress(req))}`)]);
    if (bySession !== 'ok' || byAddress !== 'ok') {
      metrics?.dropped.inc({ reason: 'web_rate_limit' });
      if (bySession === 'warn' || byAddress === 'warn') logger.warn({ event: 'web_rate_limited', session: hashId(key), by: bySession !== 'ok' ? 'session' : 'address' }, 'client is sending too fast');
      // The body was read in full, so the connection stays usable.
      res.writeHead(429, { ...apiHeaders, 'retry-after': retryAfter, 'set-cookie': cookieHeader(req, id) }).end(json({ error: 'rate_limited', message: MESSAGES.rateLimited }));
      return null;
    }
    return { body, id, key };
  }

  const chat: Route = {
    path: '/api/chat',
    methods: ['POST'],
    async handle(req, res) {
      const started = performance.now();
      const admitted = await admit(req, res);
      if (!admitted) return;
      const request = parseChatRequest(admitted.body);
      if (!request) return fail(req, res, 400, 'bad_request', MESSAGES.badInput);
      const { id, key } = admitted;
      metrics?.updates.inc({ type: request.type });
      counters?.updates.inc({ channel: 'web', type: request.type });
      // One turn at a time per session, so two quick taps never clobber the state.
      const reply: Reply = await queue.run(key, async () => {
        if ('command' in request) {
          if (request.command === 'topics') return engine.topicsMenu();
          await store.delete(key);
          return engine.welcome();
        }
        const result = engine.respond(await store.get(key), request.input, now());
        await store.set(key, result.session);
        return result.reply;
      });
      const body = json({ reply, session: id });
      res.writeHead(200, { ...apiHeaders, 'content-length': String(Buffer.byteLength(body)), 'set-cookie': cookieHeader(req, id) }).end(body);
      const seconds = (performance.now() - started) / 1000;
      metrics?.replies.inc({ kind: reply.kind });
      counters?.replies.inc({ channel: 'web', kind: reply.kind });
      metrics?.latency.observe({ kind: reply.kind }, seconds);
      if (logger.isLevelEnabled('info')) {
        logger.info(
          { event: 'reply', channel: 'web', input: request.type, session: hashId(key), kind: reply.kind, topic: reply.topic, facet: reply.facet, ms: Math.round(seconds * 10_000) / 10 },
          'replied',
        );
      }
    },
  };

  const feedbackRoute: Route = {
    path: '/api/feedback',
    methods: ['POST'],
    async handle(req, res) {
      const admitted = await admit(req, res);
      if (!admitted) return;
      const b = admitted.body as { topic?: unknown; useful?: unknown } | null;
      if (typeof b !== 'object' || b === null || typeof b.topic !== 'string' || typeof b.useful !== 'boolean' || !engine.knows(b.topic)) {
        return fail(req, res, 400, 'bad_request', MESSAGES.badInput);
      }
      // Counted by topic only: no session, no text.
      counters?.feedback.inc({ channel: 'web', topic: b.topic, useful: String(b.useful) });
      // With the question log on, a 👎 on the last answer logs its question (redacted, no session).
      recordFeedback(engine, await store.get(admitted.key), b.topic, b.useful);
      logger.info({ event: 'feedback', channel: 'web', topic: b.topic, useful: b.useful }, 'feedback');
      res.writeHead(204, { 'cache-control': 'no-store', 'set-cookie': cookieHeader(req, admitted.id) }).end();
    },
  };

  const serve = (req: IncomingMessage, res: ServerResponse, asset: Asset, cache: string) => {
    if (req.headers['if-none-match'] === asset.etag) return void res.writeHead(304, { ...security, etag: asset.etag, 'cache-control': cache }).end();
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzip : asset.body;
    res
      .writeHead(200, {
        ...security,
        'content-type': asset.type,
        'content-length': String(body.length),
        'cache-control': cache,
        etag: asset.etag,
        vary: 'Accept-Encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      })
      .end(body);
  };

  const page: Route = {
    path: '/',
    methods: ['GET', 'HEAD'],
    // Revalidated every time (WeChat's browser caches HTML hard); the assets it names are hashed.
    handle: (req, res) => serve(req, res, assets.page, 'no-cache'),
  };

  const statics: Route = {
    path: '/static/',
    methods: ['GET', 'HEAD'],
    handle(req, res, url) {
      const asset = assets.files.get(url.pathname.slice('/static/'.length));
      if (!asset) return void res.writeHead(404, { ...security, 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      serve(req, res, asset, 'public, max-age=31536000, immutable');
    },
  };

  // Browsers ask for it on their own: answer without a 404 in the logs.
  const favicon: Route = {
    path: '/favicon.ico',
    methods: ['GET', 'HEAD'],
    handle: (_req, res) => void res.writeHead(204, { ...security, 'cache-control': 'public, max-age=86400' }).end(),
  };

  return { routes: [page, statics, chat, feedbackRoute, favicon], close: async () => {} };
}

/** A metric from the registry when another channel registered it already, else a new one. */
function shared<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** Per-channel counts (the same metrics the WeChat channel uses) and 👍/👎 by topic. */
function webCounters(registry: Registry) {
  const registers = [registry];
  return {
    updates: shared(registry, 'bot_channel_updates_total', () =>
      new Counter({ name: 'bot_channel_updates_total', help: 'Updates received, by channel and type', labelNames: ['channel', 'type'], registers }),
    ) as Counter<'channel' | 'type'>,
    replies: shared(registry, 'bot_channel_replies_total', () =>
      new Counter({ name: 'bot_channel_replies_total', help: 'Replies sent, by channel and kind', labelNames: ['channel', 'kind'], registers }),
    ) as Counter<'channel' | 'kind'>,
    feedback: shared(registry, 'bot_feedback_total', () =>
      new Counter({ name: 'bot_feedback_total', help: 'Feedback (👍 useful=true, 👎 useful=false) by channel and topic', labelNames: ['channel', 'topic', 'useful'], registers }),
    ) as Counter<'channel' | 'topic' | 'useful'>,
  };
}
