/**
 * State every channel of one process shares: one SessionStore, one Redis
 * connection (with REDIS_URL), flood gates and duplicate detection in the
 * same backend, and one metrics registry. Telegram, the web chat and WeChat
 * all take it from here, so a process never opens two Redis connections.
 */
import type { Env } from '../config/env.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { MemorySessionStore, type SessionStore } from '../session/store.js';
import { SharedRedis, RedisSessionStore } from '../session/redis.js';
import {
  MemoryFloodGate,
  MemoryUpdateDedup,
  RedisFloodGate,
  RedisUpdateDedup,
  type FloodGate,
  type FloodOptions,
  type UpdateDedup,
} from '../session/guards.js';

export interface SharedState {
  store: SessionStore;
  /** Present with REDIS_URL. */
  redis?: SharedRedis;
  metrics: Metrics;
  /** Per-chat flood control of FLOOD_MAX_MESSAGES per FLOOD_WINDOW_SECONDS. */
  floodGate: FloodGate;
  dedup: UpdateDedup;
  /** Another fixed-window limit in the same backend (shared through Redis when it is set). */
  createFloodGate(options: FloodOptions): FloodGate;
  /** Closes the Redis connection, if any. */
  close(): Promise<void>;
}

/**
 * Builds the shared state. With REDIS_URL, Redis down at start is allowed: channels answer
 * without follow-up context and the client reconnects by itself.
 */
export async function createSharedState(env: Env, engine: Engine, logger: Logger): Promise<SharedState> {
  const metrics = createMetrics();
  const flood = { max: env.FLOOD_MAX_MESSAGES, windowMs: env.FLOOD_WINDOW_SECONDS * 1000 };
  if (!env.REDIS_URL) {
    return {
      store: new MemorySessionStore({ ttlMs: engine.contextTtlMs, maxEntries: env.SESSION_MAX_ENTRIES }),
      metrics,
      floodGate: new MemoryFloodGate(flood),
      dedup: new MemoryUpdateDedup(),
      createFloodGate: (options) => new MemoryFloodGate(options),
      close: async () => {},
    };
  }
  const redis = new SharedRedis({
    url: env.REDIS_URL,
    logger,
    onError: () => metrics.redisErrors.inc(),
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
  });
  if (!(await redis.connect())) logger.warn({ event: 'redis_down_at_start' }, 'starting without Redis; it will reconnect');
  const createFloodGate = (options: FloodOptions) => new RedisFloodGate(redis, options, undefined, env.REDIS_PREFIX);
  return {
    store: new RedisSessionStore(redis, engine.contextTtlMs, env.REDIS_PREFIX),
    redis,
    metrics,
    floodGate: createFloodGate(flood),
    dedup: new RedisUpdateDedup(redis, undefined, undefined, env.REDIS_PREFIX),
    createFloodGate,
    close: () => redis.close(),
  };
}
