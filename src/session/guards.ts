/**
 * Per-chat flood control and idempotent updates, in memory or shared in Redis.
 */
import type { SharedRedis } from './redis.js';

export type FloodVerdict = 'ok' | 'warn' | 'drop';

/** More than `max` messages in `windowMs` from one chat: one warning, then silence until the window passes. */
export interface FloodGate {
  hit(chatKey: string): Promise<FloodVerdict>;
}

export interface FloodOptions {
  max: number;
  windowMs: number;
  now?: () => number;
}

const verdict = (count: number, max: number): FloodVerdict => (count <= max ? 'ok' : count === max + 1 ? 'warn' : 'drop');

/** Fixed windows per chat, in memory (one instance). */
export class MemoryFloodGate implements FloodGate {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly now: () => number;

  constructor(private readonly options: FloodOptions) {
    this.now = options.now ?? Date.now;
  }

  async hit(chatKey: string): Promise<FloodVerdict> {
    const now = this.now();
    let w = this.windows.get(chatKey);
    if (!w || now - w.start >= this.options.windowMs) {
      w = { start: now, count: 0 };
      this.windows.delete(chatKey);
      this.windows.set(chatKey, w);
      this.sweep(now);
    }
    w.count++;
    return verdict(w.count, this.options.max);
  }

  /** Drops finished windows from the front (insertion order is start order). */
  private sweep(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.start < this.options.windowMs) break;
      this.windows.delete(key);
    }
  }
}

/** The same limit shared by every instance: INCR a per-chat key that expires with the window. */
export class RedisFloodGate implements FloodGate {
  constructor(
    private readonly redis: SharedRedis,
    private readonly options: FloodOptions,
    private readonly fallback: FloodGate = new MemoryFloodGate(options),
    private readonly prefix = 'rh:',
  ) {}

  async hit(chatKey: string): Promise<FloodVerdict> {
    const key = `${this.prefix}flood:${chatKey}`;
    const count = await this.redis.run(async (c) => {
      const [[, n]] = (await c.multi().incr(key).pexpire(key, this.options.windowMs, 'NX').exec()) as [[unknown, number]];
      return n;
    }, null);
    // Redis down: keep limiting, per instance.
    return count === null ? this.fallback.hit(chatKey) : verdict(count, this.options.max);
  }
}

/** Remembers recent update ids, so an update Telegram redelivers is not answered twice. */
export interface UpdateDedup {
  /** True the first time an id is seen. */
  first(updateId: number): Promise<boolean>;
}

export class MemoryUpdateDedup implements UpdateDedup {
  private readonly seen = new Map<number, number>();
  private readonly now: () => number;

  constructor(
    private readonly ttlMs = 60 * 60_000,
    private readonly maxEntries = 100_000,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  async first(updateId: number): Promise<boolean> {
    const now = this.now();
    const at = this.seen.get(updateId);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.seen.delete(updateId);
    this.seen.set(updateId, now);
    for (const [id, t] of this.seen) {
      if (this.seen.size <= this.maxEntries && now - t < this.ttlMs) break;
      this.seen.delete(id);
    }
    return true;
  }
}

export class RedisUpdateDedup implements UpdateDedup {
  constructor(
    private readonly redis: SharedRedis,
    private readonly ttlMs = 60 * 60_000,
    private readonly fallback: UpdateDedup = new MemoryUpdateDedup(ttlMs),
    private readonly prefix = 'rh:',
  ) {}

  async first(updateId: number): Promise<boolean> {
    const result = await this.redis.run((c) => c.set(`${this.prefix}update:${updateId}`, '1', 'PX', this.ttlMs, 'NX'), undefined);
    // SET NX answers OK the first time and null after; Redis down: remember locally.
    return result === undefined ? this.fallback.first(updateId) : result === 'OK';
  }
}
