/**
 * What the WeChat adapter keeps beside the session, in memory or in Redis:
 * the last reply's numbered choices and unread pages per user, and recent
 * message ids so a message WeChat retries is answered once.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SharedRedis } from '../../session/redis.js';

/** A numbered suggestion the adapter resolves itself: replying "n" follows choices[n-1]. */
export interface Choice {
  topic: string;
  facet: string | null;
}

/** Per user, the last reply: its numbered choices and the pages not shown yet. No text the user wrote. */
export interface LastReply {
  /** Empty when the engine resolves numbers itself (after a clarify or a fallback). */
  choices: Choice[];
  /** The rest of a long answer, a page per 「回复 0」. */
  more: string[];
}

export interface LastReplyStore {
  get(openId: string): Promise<LastReply | undefined>;
  /** Stores the entry; it expires after the store's TTL (the context timeout). */
  set(openId: string, value: LastReply): Promise<void>;
  delete(openId: string): Promise<void>;
}

const lastReplySchema = z.strictObject({
  choices: z.array(z.strictObject({ topic: z.string().max(100), facet: z.string().max(50).nullable() })).max(50),
  more: z.array(z.string().max(4000)).max(20),
});

/** A small map with a TTL per entry and a bound on entries (oldest first out). */
class TtlMap<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

export class MemoryLastReplyStore implements LastReplyStore {
  private readonly map: TtlMap<LastReply>;
  constructor(
    private readonly ttlMs: number,
    maxEntries = 100_000,
    now: () => number = Date.now,
  ) {
    this.map = new TtlMap(maxEntries, now);
  }
  async get(openId: string) {
    const value = this.map.get(openId);
    return value && structuredClone(value);
  }
  async set(openId: string, value: LastReply) {
    this.map.set(openId, structuredClone(value), this.ttlMs);
  }
  async delete(openId: string) {
    this.map.delete(openId);
  }
}

/** JSON under `<prefix>wechat:last:<openid>`, with the context timeout as TTL. Redis down: nothing remembered. */
export class RedisLastReplyStore implements LastReplyStore {
  constructor(
    private readonly redis: SharedRedis,
    private readonly ttlMs: number,
    private readonly prefix = 'rh:',
  ) {}
  private key(openId: string) {
    return `${this.prefix}wechat:last:${openId}`;
  }
  async get(openId: string): Promise<LastReply | undefined> {
    const json = await this.redis.run((c) => c.get(this.key(openId)), null, { retry: true });
    if (!json) return undefined;
    try {
      const parsed = lastReplySchema.safeParse(JSON.parse(json));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
  async set(openId: string, value: LastReply) {
    await this.redis.run((c) => c.set(this.key(openId), JSON.stringify(value), 'PX', this.ttlMs), null, { retry: true });
  }
  async delete(openId: string) {
    await this.redis.run((c) => c.del(this.key(openId)), 0);
  }
}

/** What a retried message finds: nothing yet (it is the first), the first attempt still running, or its reply. */
export type Claim = { status: 'first' } | { status: 'pending' } | { status: 'done'; content: string | null };

/**
 * Messages already taken, by MsgId (events: FromUserName + CreateTime), and
 * their replies for a short while, so a retry gets the same reply.
 * WeChat retries three times within about 15 seconds.
 */
export interface ReplyCache {
  claim(key: string): Promise<Claim>;
  /** Keeps the reply (null: "success", no message) for retries. */
  complete(key: string, content: string | null): Promise<void>;
}

/** How long a message id is remembered, and how long its reply is kept. */
export const SEEN_TTL_MS = 5 * 60_000;
export const REPLY_TTL_MS = 60_000;

/** Cache keys are hashed: an event's key holds the OpenID. */
const digest = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);

export class MemoryReplyCache implements ReplyCache {
  private readonly seen: TtlMap<true>;
  private readonly replies: TtlMap<string | null>;
  constructor(maxEntries = 50_000, now: () => number = Date.now) {
    this.seen = new TtlMap(maxEntries, now);
    this.replies = new TtlMap(maxEntries, now);
  }
  async claim(key: string): Promise<Claim> {
    const k = digest(key);
    if (!this.seen.get(k)) {
      this.seen.set(k, true, SEEN_TTL_MS);
      return { status: 'first' };
    }
    const content = this.replies.get(k);
    return content === undefined ? { status: 'pending' } : { status: 'done', content };
  }
  async complete(key: string, content: string | null): Promise<void> {
    this.replies.set(digest(key), content, REPLY_TTL_MS);
  }
}

/** Shared by every instance: `SET NX` on `<prefix>wechat:seen:<hash>`, the reply under `…wechat:reply:<hash>`. */
export class RedisReplyCache implements ReplyCache {
  constructor(
    private readonly redis: SharedRedis,
    private readonly prefix = 'rh:',
    private readonly fallback: ReplyCache = new MemoryReplyCache(),
  ) {}
  async claim(key: string): Promise<Claim> {
    const k = digest(key);
    const taken = await this.redis.run((c) => c.set(`${this.prefix}wechat:seen:${k}`, '1', 'PX', SEEN_TTL_MS, 'NX'), undefined);
    // Redis down: remember locally (a retry usually reaches the same instance).
    if (taken === undefined) return this.fallback.claim(key);
    if (taken === 'OK') return { status: 'first' };
    const json = await this.redis.run((c) => c.get(`${this.prefix}wechat:reply:${k}`), null);
    if (json === null) return { status: 'pending' };
    try {
      const value = JSON.parse(json) as { content?: unknown };
      return { status: 'done', content: typeof value.content === 'string' ? value.content : null };
    } catch {
      return { status: 'pending' };
    }
  }
  async complete(key: string, content: string | null): Promise<void> {
    const stored = await this.redis.run((c) => c.set(`${this.prefix}wechat:reply:${digest(key)}`, JSON.stringify({ content }), 'PX', REPLY_TTL_MS), null);
    if (stored === null) await this.fallback.complete(key, content);
  }
}
