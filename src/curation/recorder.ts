/**
 * What every channel's turns feed: per-channel metrics (always) and, with the
 * question log on, the questions to review and the counts the review's rates
 * are made of. One recorder per process; channels reach it through
 * channelEngine() (engine-handle.ts), so no channel can forget it.
 */
import { createHash } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Input, ReplyKind, RespondResult } from '../engine/types.js';
import { migrate } from '../engine/state.js';
import { logText, type QuestionLog, type QuestionReason, type TallyEntry } from './question-log.js';

export interface TurnRecorderOptions {
  /** The question log; absent when QUESTION_LOG is off (metrics are still counted). */
  log?: QuestionLog;
  /** The process's Prometheus registry. */
  registry?: Registry;
  /** An answer under this confidence is logged (QUESTION_LOG_BELOW). */
  logBelow?: number;
  now?: () => number;
  /** How often the counts are written to the log (they are also written on close). */
  tallyEveryMs?: number;
  /** How long the last answer of a conversation is remembered, to log the question of a 👎. */
  recentTtlMs?: number;
  recentMax?: number;
}

export interface TurnRecorder {
  /** One engine turn of `channel`: the state before, the input and what the engine returned. */
  turn(channel: string, before: unknown, input: Input, result: RespondResult): void;
  /** 👍/👎 on `topic`; `state` is the conversation's current state (to find the answer it refers to). */
  feedback(channel: string, state: unknown, topic: string, useful: boolean): void;
  /** Writes the counts so far and waits for the log. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Default of QUESTION_LOG_BELOW. */
export const DEFAULT_LOG_BELOW = 0.5;

/** Why a typed turn is worth a curator's look, or null. */
export function reasonFor(kind: ReplyKind, confidence: number, logBelow: number): QuestionReason | null {
  if (kind === 'fallback') return 'fallback';
  if (kind === 'clarify') return 'clarify';
  // A refusal is an answer too: one read from a weak match ("人脸识别老是不通过" as "skip face checks") needs a look.
  if ((kind === 'answer' || kind === 'refusal') && confidence < logBelow) return 'low-confidence';
  return null;
}

/**
 * True when a turn followed a suggestion: a button, a number or a menu key (small-talk commands
 * such as /help excepted), or a typed choice among the offered candidates ("2", "第二个", a name).
 */
export function followedSuggestion(before: unknown, input: Input, result: RespondResult): boolean {
  if (typeof input !== 'string') return !input.topic.startsWith('meta.');
  const { reply } = result;
  // Cheap tests first: most turns follow no offer, and validating a state costs more than a turn's bookkeeping should.
  if (reply.confidence !== 1 || reply.kind === 'clarify' || !(before as { offer?: unknown[] } | null)?.offer?.length) return false;
  return (migrate(before)?.offer ?? []).some((o) => o.topic === reply.topic);
}

/** A stable digest of a session state, whatever store it went through (keys sorted). */
export function stateFingerprint(state: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(state ?? null))).digest('base64url').slice(0, 22);
}

function shared<T>(registry: Registry | undefined, name: string, create: (registers: Registry[]) => T): T {
  return ((registry?.getSingleMetric(name) as T | undefined) ?? create(registry ? [registry] : [])) as T;
}

/** Sum of a counter's values per channel, for the label values given. */
async function perChannel(counter: Counter<string>, match: Record<string, string> = {}): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await counter.get()).values) {
    if (Object.entries(match).some(([k, want]) => v.labels[k] !== want)) continue;
    const channel = String(v.labels.channel);
    out.set(channel, (out.get(channel) ?? 0) + v.value);
  }
  return out;
}

/** The per-channel metrics: counters, and rates since start computed from them when scraped. */
export function curationMetrics(registry?: Registry) {
  const questions = shared(registry, 'bot_questions_total', (registers) =>
    new Counter({ name: 'bot_questions_total', help: 'Typed questions, by channel and reply kind (fallback: no answer)', labelNames: ['channel', 'kind'], registers }),
  ) as Counter<'channel' | 'kind'>;
  const suggestions = shared(registry, 'bot_suggestions_total', (registers) =>
    new Counter({
      name: 'bot_suggestions_total',
      help: 'Replies that offered suggestions (event="offered") and turns that followed one (event="followed"), by channel',
      labelNames: ['channel', 'event'],
      registers,
    }),
  ) as Counter<'channel' | 'event'>;
  const logged = shared(registry, 'bot_questions_logged_total', (registers) =>
    new Counter({ name: 'bot_questions_logged_total', help: 'Questions written to the question log, by channel and reason', labelNames: ['channel', 'reason'], registers }),
  ) as Counter<'channel' | 'reason'>;
  const ratio = (name: string, help: string, part: () => Promise<Map<string, number>>, whole: () => Promise<Map<string, number>>) =>
    shared(registry, name, (registers) =>
      new Gauge({
        name,
        help,
        labelNames: ['channel'],
        registers,
        async collect() {
          const [p, w] = await Promise.all([part(), whole()]);
          for (const [channel, n] of w) if (n > 0) this.set({ channel }, (p.get(channel) ?? 0) / n);
        },
      }),
    );
  ratio('bot_no_answer_rate', 'Share of typed questions that got the fallback, by channel, since start', () => perChannel(questions, { kind: 'fallback' }), () => perChannel(questions));
  ratio('bot_clarify_rate', 'Share of typed questions answered with "which one?", by channel, since start', () => perChannel(questions, { kind: 'clarify' }), () => perChannel(questions));
  ratio(
    'bot_suggestions_followed_rate',
    'Turns that followed a suggestion per reply that offered some, by channel, since start',
    () => perChannel(suggestions, { event: 'followed' }),
    () => perChannel(suggestions, { event: 'offered' }),
  );
  return { questions, suggestions, logged };
}

type Tally = Omit<TallyEntry, 'type' | 't' | 'channel'>;
const emptyTally = (): Tally => ({ typed: 0, kinds: {}, buttons: 0, offered: 0, followed: 0 });

/** The last answer of a conversation, kept in memory only, so a 👎 can log the question it answered. */
interface RecentTurn {
  text: string;
  kind: ReplyKind;
  topic: string | null;
  facet: string | null;
  confidence: number;
  candidates: { topic: string; score: number }[];
  logged: boolean;
  expires: number;
}

export function createTurnRecorder(options: TurnRecorderOptions = {}): TurnRecorder {
  const { log } = options;
  const now = options.now ?? Date.now;
  const logBelow = options.logBelow ?? DEFAULT_LOG_BELOW;
  const recentTtlMs = options.recentTtlMs ?? 30 * 60_000;
  const recentMax = options.recentMax ?? 10_000;
  const metrics = curationMetrics(options.registry);
  const tallies = new Map<string, Tally>();
  // Keyed by the digest of the state the turn produced: the next turn or 👎 arrives with that state.
  const recent = new Map<string, RecentTurn>();
  const timer = log ? setInterval(() => writeTallies(), options.tallyEveryMs ?? 60_000) : undefined;
  timer?.unref();

  const tallyOf = (channel: string) => {
    let t = tallies.get(channel);
    if (!t) tallies.set(channel, (t = emptyTally()));
    return t;
  };

  function writeTallies(): void {
    if (!log) return;
    const t = now();
    for (const [channel, tally] of tallies) {
      if (tally.typed || tally.buttons || tally.offered) log.append({ type: 'tally', t, channel, ...tally });
    }
    tallies.clear();
  }

  function remember(key: string, turn: RecentTurn): void {
    recent.delete(key);
    recent.set(key, turn);
    // Bounded: the oldest go first (Map order is insertion order).
    while (recent.size > recentMax) recent.delete(recent.keys().next().value!);
  }

  return {
    turn(channel, before, input, result) {
      const { reply } = result;
      const typed = typeof input === 'string';
      const followed = followedSuggestion(before, input, result);
      if (typed) metrics.questions.inc({ channel, kind: reply.kind });
      if (reply.suggestions.length) metrics.suggestions.inc({ channel, event: 'offered' });
      if (followed) metrics.suggestions.inc({ channel, event: 'followed' });
      if (!log) return;

      const tally = tallyOf(channel);
      if (typed) {
        tally.typed++;
        tally.kinds[reply.kind] = (tally.kinds[reply.kind] ?? 0) + 1;
      } else tally.buttons++;
      if (reply.suggestions.length) tally.offered++;
      if (followed) tally.followed++;
      if (!typed) return;

      const text = logText(input);
      if (!text) return;
      const candidates = result.candidates.slice(0, 5).map((c) => ({ topic: c.topic, score: c.score }));
      const reason = reasonFor(reply.kind, reply.confidence, logBelow);
      const t = now();
      const base = { t, channel, kind: reply.kind, topic: reply.topic, facet: reply.facet, confidence: reply.confidence, candidates, text };
      if (reason) {
        log.append({ type: 'question', reason, ...base });
        metrics.logged.inc({ channel, reason });
      }
      if (reply.topic && ['answer', 'followup', 'refusal'].includes(reply.kind)) {
        remember(stateFingerprint(result.session), { ...base, logged: reason !== null, expires: t + recentTtlMs });
      }
    },

    feedback(channel, state, topic, useful) {
      if (!log) return;
      const t = now();
      log.append({ type: 'feedback', t, channel, topic, useful });
      if (useful) return;
      const key = stateFingerprint(state);
      const turn = recent.get(key);
      if (!turn || turn.expires < t || turn.topic !== topic || turn.logged) return;
      turn.logged = true;
      const { text, kind, facet, confidence, candidates } = turn;
      log.append({ type: 'question', reason: 'downvote', t, channel, kind, topic, facet, confidence, candidates, text });
      metrics.logged.inc({ channel, reason: 'downvote' });
    },

    async flush() {
      writeTallies();
      await log?.flush();
    },

    async close() {
      if (timer) clearInterval(timer);
      writeTallies();
      recent.clear();
      await log?.close();
    },
  };
}
