/**
 * Where conversation state lives between messages. One small interface, so a
 * Redis store can replace the in-memory default without touching adapters.
 */
import type { Session } from '../engine/types.js';

export interface SessionStore {
  get(key: string): Promise<Session | undefined>;
  /** Stores the session; it expires after the store's TTL. */
  set(key: string, session: Session): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface MemorySessionStoreOptions {
  /** Time to live of an entry, in milliseconds. */
  ttlMs: number;
  /** At most this many sessions; the least recently used go first. */
  maxEntries?: number;
  now?: () => number;
}

/** In-memory store with TTL and a bound on entries (LRU), so memory cannot grow without end. */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, { session: Session; expires: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemorySessionStoreOptions) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<Session | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert: Map order is our LRU order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return structuredClone(entry.session);
  }

  async set(key: string, session: Session): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { session: structuredClone(session), expires: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
