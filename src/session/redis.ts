/**
 * Shared state in Redis (ioredis): sessions, flood counters and seen update
 * ids, for several instances behind a load balancer. Redis trouble degrades
 * the bot (no follow-up context), it never breaks it: commands time out after
 * 200 ms, fail fast while disconnected, and an outage is logged once.
 */
import { Redis } from 'ioredis';
import type { Session } from '../engine/types.js';
import type { SessionStore } from './store.js';
import { parseSession } from './schema.js';
import { describeError, type Logger } from '../log.js';

export interface RedisOptions {
  url: string;
  logger: Logger;
  /** Called for every failed command (a metrics counter). */
  onError?: () => void;
  commandTimeoutMs?: number;
}

/** A Redis client that tells when it is usable, and logs outages once. */
export class SharedRedis {
  readonly client: Redis;
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private readonly logger: Logger;
  private readonly onError: () => void;
  /** The URL's password, kept out of logged errors. */
  private readonly secret: string | undefined;

  constructor(options: RedisOptions) {
    this.logger = options.logger;
    this.onError = options.onError ?? (() => {});
    this.secret = decodeURIComponent(new URL(options.url).password) || undefined;
    this.client = new Redis(options.url, {
      commandTimeout: options.commandTimeoutMs ?? 200,
      connectTimeout: 2000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      // Reconnect by itself, forever, at most every 2 s.
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    this.client.on('ready', () => {
      if (this.state !== 'up') this.logger.info({ event: 'redis_ready' }, 'Redis connected');
      this.state = 'up';
    });
    this.client.on('error', (err) => this.down(err));
    this.client.on('end', () => this.down(new Error('connection ended')));
  }

  get isHealthy(): boolean {
    return this.state === 'up';
  }

  /** Connects; resolves false (with a warning) when Redis cannot be reached now. */
  async connect(): Promise<boolean> {
    try {
      await this.client.connect();
      return true;
    } catch (err) {
      this.down(err);
      return false;
    }
  }

  /**
   * Runs a command; on failure counts it and returns `fallback`. An idempotent
   * command (`retry`) that timed out while connected is tried once more: under
   * load a single slow answer should not cost a user their context.
   */
  async run<T>(command: (client: Redis) => Promise<T>, fallback: T, options: { retry?: boolean } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await command(this.client);
      } catch (err) {
        this.onError();
        const timedOut = /timed out/i.test((err as Error)?.message ?? '');
        if (options.retry && timedOut && attempt === 0 && this.client.status === 'ready') continue;
        this.down(err);
        return fallback;
      }
    }
  }

  async close(): Promise<void> {
    this.state = 'down';
    this.client.removeAllListeners('end');
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /** Logs once per outage (on the change to down), not once per failed command. */
  private down(err: unknown): void {
    if (this.state !== 'down') {
      this.logger.warn({ event: 'redis_unavailable', error: describeError(err, [this.secret]) }, 'Redis unavailable: answering without follow-up context until it is back');
    }
    this.state = 'down';
  }
}

/** Sessions as JSON under `<prefix>session:<key>`, each with a TTL equal to the context timeout. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: SharedRedis,
    private readonly ttlMs: number,
    private readonly prefix = 'rh:',
  ) {}

  private key(key: string): string {
    return `${this.prefix}session:${key}`;
  }

  async get(key: string): Promise<Session | undefined> {
    // A corrupt or foreign value becomes a fresh session, not a crash.
    return parseSession(await this.redis.run((c) => c.get(this.key(key)), null, { retry: true }));
  }

  async set(key: string, session: Session): Promise<void> {
    const seconds = Math.max(1, Math.ceil(this.ttlMs / 1000));
    await this.redis.run((c) => c.set(this.key(key), JSON.stringify(session), 'EX', seconds), null, { retry: true });
  }

  async delete(key: string): Promise<void> {
    await this.redis.run((c) => c.del(this.key(key)), 0);
  }
}
