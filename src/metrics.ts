/**
 * Prometheus metrics (prom-client), served at GET /metrics by the webhook
 * server. Counts and timings only: no text, no ids.
 */
import { Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  updates: Counter<'type'>;
  replies: Counter<'kind'>;
  latency: Histogram<'kind'>;
  redisErrors: Counter;
  rateLimited: Counter;
  dropped: Counter<'reason'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  return {
    registry,
    updates: new Counter({ name: 'bot_updates_total', help: 'Updates received, by type', labelNames: ['type'], registers: [registry] }),
    replies: new Counter({
      name: 'bot_replies_total',
      help: 'Replies sent, by kind (answer, followup, clarify, fallback, smalltalk, refusal)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'bot_reply_seconds',
      help: 'Time from update to reply sent, by kind',
      labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    redisErrors: new Counter({ name: 'bot_redis_errors_total', help: 'Redis commands that failed or timed out', registers: [registry] }),
    rateLimited: new Counter({ name: 'bot_telegram_429_total', help: 'Bot API answers 429 Too Many Requests', registers: [registry] }),
    dropped: new Counter({
      name: 'bot_updates_dropped_total',
      help: 'Updates not answered: duplicate update id, or flood control',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
