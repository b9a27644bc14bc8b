/**
 * The curators' question log (opt-in, QUESTION_LOG=on): what people asked that
 * the bot could not answer well, for `npm run review`. Like the "unanswered
 * questions" queues of FAQ platforms, but it keeps as little as it can:
 *
 *   - the message's normalised text with ID, card and phone numbers and codes
 *     removed BEFORE anything is stored (see logText()); never the raw text;
 *   - the reply kind, the top candidates and their scores, the channel, the time;
 *   - no chat, user or OpenID, and nothing that leads back to one.
 *
 * Two stores behind one interface: append-only JSON lines under a folder, one
 * file per (UTC) day; or, with REDIS_URL, a capped Redis stream shared by every
 * instance. Both drop entries older than the retention (QUESTION_LOG_DAYS).
 */
import { appendFile, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ReplyKind } from '../engine/types.js';
import { normalize } from '../nlu/normalize.js';
import { scanSensitive } from '../nlu/sensitive.js';
import type { SharedRedis } from '../session/redis.js';

export const DAY_MS = 86_400_000;
/** Longest text kept (characters); questions are far shorter. */
export const MAX_LOGGED_CHARS = 200;
/** Most entries the Redis stream holds (XADD MAXLEN ~), whatever their age. */
export const REDIS_LOG_MAX_ENTRIES = 200_000;

/** Why a turn was logged. */
export type QuestionReason = 'fallback' | 'clarify' | 'low-confidence' | 'downvote';

/** A question to review: a turn that ended in a fallback, a clarify, a weak answer or a 👎. */
export interface QuestionEntry {
  type: 'question';
  /** Epoch milliseconds. */
  t: number;
  channel: string;
  reason: QuestionReason;
  kind: ReplyKind;
  topic: string | null;
  facet: string | null;
  confidence: number;
  /** The matcher's top candidates with their scores, best first. */
  candidates: { topic: string; score: number }[];
  /** Normalised, with sensitive numbers removed (logText()). */
  text: string;
}

/** 👍 or 👎 on an answer: the topic only. */
export interface FeedbackEntry {
  type: 'feedback';
  t: number;
  channel: string;
  topic: string;
  useful: boolean;
}

/** Counts of one channel over a stretch of time: the denominators of the review's rates. */
export interface TallyEntry {
  type: 'tally';
  t: number;
  channel: string;
  /** Typed questions, and their reply kinds. */
  typed: number;
  kinds: Partial<Record<ReplyKind, number>>;
  /** Turns from a button, a number or a menu key. */
  buttons: number;
  /** Replies that offered suggestions, and turns that followed one. */
  offered: number;
  followed: number;
}

export type LogEntry = QuestionEntry | FeedbackEntry | TallyEntry;

/** A group a curator hid with `npm run review -- --ignore`; forgotten after the retention too. */
export interface IgnoredGroup {
  id: string;
  /** The group's texts when it was hidden: a group that grows keeps being hidden. */
  texts: string[];
  at: number;
  /** Hidden by --ignore, or by --accept (then `topic` took its phrasings). */
  action?: 'ignore' | 'accept';
  topic?: string;
}

export interface QuestionLog {
  /** Where the log is, for people ("file ./question-log", "Redis stream rh:qlog"). */
  readonly where: string;
  /** Queues an entry; writes happen in order, in the background. Never throws. */
  append(entry: LogEntry): void;
  /** Resolves when every queued entry is written. */
  flush(): Promise<void>;
  /** The entries within the retention, oldest first (unreadable ones skipped). */
  read(): Promise<LogEntry[]>;
  /** Deletes what is older than the retention. */
  prune(): Promise<void>;
  ignored(): Promise<IgnoredGroup[]>;
  ignore(group: IgnoredGroup): Promise<void>;
  close(): Promise<void>;
}

export interface QuestionLogOptions {
  /** Retention in days (QUESTION_LOG_DAYS). */
  days: number;
  now?: () => number;
  /** A failed write (logged by the caller; the bot keeps answering). */
  onError?: (err: unknown) => void;
}

// Digit runs a person's number could still hide in after normalisation (QQ numbers, landlines…).
const LONG_DIGITS_RE = /\d(?:\s?\d){6,}/g;

/**
 * The only form of a message the log ever keeps: sensitive numbers removed from the raw text
 * (scanSensitive, as the engine does), then normalised (Simplified, lower case, punctuation and
 * filler words out), then scanned again, and any run of 7 or more digits dropped as well.
 */
export function logText(raw: string): string {
  const redacted = scanSensitive(raw.slice(0, 20 * MAX_LOGGED_CHARS)).redacted;
  const normalised = normalize(redacted);
  const again = scanSensitive(normalised).redacted.replace(LONG_DIGITS_RE, ' ');
  return [...again.replace(/\s+/g, ' ').trim()].slice(0, MAX_LOGGED_CHARS).join('').trim();
}

const KINDS = ['answer', 'followup', 'clarify', 'fallback', 'smalltalk', 'refusal'] as const;
const id = z.string().max(100);
const count = z.number().int().nonnegative();
const entrySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('question'),
    t: z.number(),
    channel: id,
    reason: z.enum(['fallback', 'clarify', 'low-confidence', 'downvote']),
    kind: z.enum(KINDS),
    topic: id.nullable(),
    facet: id.nullable(),
    confidence: z.number(),
    candidates: z.array(z.object({ topic: id, score: z.number() })).max(10),
    text: z.string().max(MAX_LOGGED_CHARS * 2),
  }),
  z.object({ type: z.literal('feedback'), t: z.number(), channel: id, topic: id, useful: z.boolean() }),
  z.object({
    type: z.literal('tally'),
    t: z.number(),
    channel: id,
    typed: count,
    kinds: z.partialRecord(z.enum(KINDS), count),
    buttons: count,
    offered: count,
    followed: count,
  }),
]);
const ignoredSchema = z.object({
  id,
  texts: z.array(z.string().max(MAX_LOGGED_CHARS * 2)).max(10_000),
  at: z.number(),
  action: z.enum(['ignore', 'accept']).optional(),
  topic: id.optional(),
});

/** An entry read back, or null for a line that is not one (a torn write, a foreign line). */
export function parseEntry(raw: unknown): LogEntry | null {
  const parsed = entrySchema.safeParse(raw);
  return parsed.success ? (parsed.data as LogEntry) : null;
}

/** The UTC day (YYYY-MM-DD) of a time. */
export const utcDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** Writes in order, one at a time; a failure is reported and does not stop the next write. */
class WriteQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly onError: (err: unknown) => void) {}
  push(write: () => Promise<void>): void {
    this.tail = this.tail.then(write).catch(this.onError);
  }
  drain(): Promise<void> {
    return this.tail;
  }
}

const FILE_RE = /^questions-(\d{4}-\d{2}-\d{2})\.jsonl$/;
const IGNORED_FILE = 'ignored.json';

/**
 * JSON lines under `dir`, `questions-<UTC day>.jsonl`, appended (O_APPEND, one write per line, so
 * several processes may share the folder). Files and folder are readable by their owner only.
 */
export class FileQuestionLog implements QuestionLog {
  readonly where: string;
  private readonly days: number;
  private readonly now: () => number;
  private readonly queue: WriteQueue;
  private prunedDay = '';
  private madeDir = false;

  constructor(
    private readonly dir: string,
    options: QuestionLogOptions,
  ) {
    this.where = `file ${dir}`;
    this.days = options.days;
    this.now = options.now ?? Date.now;
    this.queue = new WriteQueue(options.onError ?? (() => {}));
  }

  private cutoff(): number {
    return this.now() - this.days * DAY_MS;
  }

  private async ensureDir(): Promise<void> {
    if (this.madeDir) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.madeDir = true;
  }

  append(entry: LogEntry): void {
    const line = JSON.stringify(entry) + '\n';
    const day = utcDay(entry.t);
    this.queue.push(async () => {
      await this.ensureDir();
      // Once a day (and at the first write) what has aged out goes.
      if (this.prunedDay !== utcDay(this.now())) await this.prune();
      await appendFile(join(this.dir, `questions-${day}.jsonl`), line, { mode: 0o600 });
    });
  }

  flush(): Promise<void> {
    return this.queue.drain();
  }

  private async files(): Promise<{ name: string; day: string }[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.flatMap((name) => {
      const m = FILE_RE.exec(name);
      return m ? [{ name, day: m[1]! }] : [];
    });
  }

  private async readFileEntries(name: string): Promise<LogEntry[]> {
    const text = await readFile(join(this.dir, name), 'utf8').catch(() => '');
    const out: LogEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = parseEntry(JSON.parse(line));
        if (entry) out.push(entry);
      } catch {
        // a torn or foreign line: skipped
      }
    }
    return out;
  }

  async read(): Promise<LogEntry[]> {
    await this.flush();
    const cutoff = this.cutoff();
    const firstDay = utcDay(cutoff);
    const out: LogEntry[] = [];
    for (const f of (await this.files()).filter((f) => f.day >= firstDay).sort((a, b) => (a.day < b.day ? -1 : 1))) {
      for (const e of await this.readFileEntries(f.name)) if (e.t >= cutoff) out.push(e);
    }
    return out.sort((a, b) => a.t - b.t);
  }

  /** Deletes the files of days wholly past the retention, and rewrites the one the cutoff falls in. */
  async prune(): Promise<void> {
    const cutoff = this.cutoff();
    const firstDay = utcDay(cutoff);
    for (const f of await this.files()) {
      if (f.day < firstDay) await unlink(join(this.dir, f.name)).catch(() => {});
      else if (f.day === firstDay && f.day < utcDay(this.now())) {
        // Nobody appends to a day this old: keep only its entries still within the retention.
        const all = await this.readFileEntries(f.name);
        const kept = all.filter((e) => e.t >= cutoff);
        if (kept.length === all.length) continue;
        const path = join(this.dir, f.name);
        if (!kept.length) await unlink(path).catch(() => {});
        else {
          await writeFile(path + '.tmp', kept.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
          await rename(path + '.tmp', path);
        }
      }
    }
    const ignored = await this.readIgnored();
    const current = ignored.filter((g) => g.at >= cutoff);
    if (current.length !== ignored.length) await this.writeIgnored(current);
    this.prunedDay = utcDay(this.now());
  }

  private async readIgnored(): Promise<IgnoredGroup[]> {
    try {
      const raw = JSON.parse(await readFile(join(this.dir, IGNORED_FILE), 'utf8')) as unknown;
      return Array.isArray(raw) ? raw.flatMap((g) => (ignoredSchema.safeParse(g).success ? [g as IgnoredGroup] : [])) : [];
    } catch {
      return [];
    }
  }

  private async writeIgnored(groups: IgnoredGroup[]): Promise<void> {
    await this.ensureDir();
    const path = join(this.dir, IGNORED_FILE);
    await writeFile(path + '.tmp', JSON.stringify(groups, null, 1) + '\n', { mode: 0o600 });
    await rename(path + '.tmp', path);
  }

  async ignored(): Promise<IgnoredGroup[]> {
    const cutoff = this.cutoff();
    return (await this.readIgnored()).filter((g) => g.at >= cutoff);
  }

  async ignore(group: IgnoredGroup): Promise<void> {
    const others = (await this.readIgnored()).filter((g) => g.id !== group.id);
    await this.writeIgnored([...others, group]);
  }

  close(): Promise<void> {
    return this.flush();
  }
}

/**
 * XADD with the entry's own time as the stream id (so MINID trims by age), or the next id when the
 * stream already holds a later one (another instance's clock), capped, and the key's TTL renewed.
 */
const APPEND_SCRIPT = `
local id = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], ARGV[2] .. '-*', 'e', ARGV[3])
if type(id) == 'table' and id.err then id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return id`;

/**
 * A Redis stream `<prefix>qlog` (field `e`: the entry as JSON; ids are the entries' times), capped with
 * XADD MAXLEN ~, trimmed by MINID to the retention, with a TTL of the retention so an idle log disappears. Ignored groups are
 * a hash `<prefix>qlog:ignored` with the same TTL. Redis down: entries are dropped, never queued.
 */
export class RedisQuestionLog implements QuestionLog {
  readonly where: string;
  private readonly key: string;
  private readonly ignoredKey: string;
  private readonly days: number;
  private readonly now: () => number;
  private readonly queue: WriteQueue;
  private readonly maxEntries: number;
  private lastTrim = 0;

  constructor(
    private readonly redis: SharedRedis,
    prefix: string,
    options: QuestionLogOptions & { maxEntries?: number },
  ) {
    this.key = `${prefix}qlog`;
    this.ignoredKey = `${prefix}qlog:ignored`;
    this.where = `Redis stream ${this.key}`;
    this.days = options.days;
    this.now = options.now ?? Date.now;
    this.queue = new WriteQueue(options.onError ?? (() => {}));
    this.maxEntries = options.maxEntries ?? REDIS_LOG_MAX_ENTRIES;
  }

  private get retentionMs(): number {
    return this.days * DAY_MS;
  }

  append(entry: LogEntry): void {
    const json = JSON.stringify(entry);
    const t = Math.max(0, Math.floor(entry.t));
    this.queue.push(async () => {
      await this.redis.run((c) => c.eval(APPEND_SCRIPT, 1, this.key, String(this.maxEntries), String(t), json, String(this.retentionMs)), null);
      // Trimming by age once a minute is plenty (reads filter by time anyway).
      if (this.now() - this.lastTrim > 60_000) await this.prune();
    });
  }

  flush(): Promise<void> {
    return this.queue.drain();
  }

  async prune(): Promise<void> {
    this.lastTrim = this.now();
    const cutoff = Math.max(0, Math.floor(this.now() - this.retentionMs));
    await this.redis.run((c) => c.xtrim(this.key, 'MINID', String(cutoff)), 0);
    const ignored = await this.ignored();
    const stale = (await this.redis.run((c) => c.hkeys(this.ignoredKey), [] as string[])).filter((id) => !ignored.some((g) => g.id === id));
    if (stale.length) await this.redis.run((c) => c.hdel(this.ignoredKey, ...stale), 0);
  }

  async read(): Promise<LogEntry[]> {
    await this.flush();
    const cutoff = this.now() - this.retentionMs;
    const out: LogEntry[] = [];
    let start = '-';
    for (;;) {
      const page = await this.redis.run((c) => c.xrange(this.key, start, '+', 'COUNT', 1000), null);
      if (!page) throw new Error(`cannot read the question log (${this.where}): Redis unavailable`);
      for (const [, fields] of page) {
        const at = fields.indexOf('e');
        try {
          const entry = at >= 0 ? parseEntry(JSON.parse(fields[at + 1]!)) : null;
          if (entry && entry.t >= cutoff) out.push(entry);
        } catch {
          // a foreign entry: skipped
        }
      }
      if (page.length < 1000) break;
      start = '(' + page[page.length - 1]![0];
    }
    return out.sort((a, b) => a.t - b.t);
  }

  async ignored(): Promise<IgnoredGroup[]> {
    const cutoff = this.now() - this.retentionMs;
    const all = await this.redis.run((c) => c.hvals(this.ignoredKey), [] as string[]);
    return all.flatMap((raw) => {
      try {
        const g = ignoredSchema.safeParse(JSON.parse(raw));
        return g.success && g.data.at >= cutoff ? [g.data] : [];
      } catch {
        return [];
      }
    });
  }

  async ignore(group: IgnoredGroup): Promise<void> {
    const ok = await this.redis.run((c) => c.multi().hset(this.ignoredKey, group.id, JSON.stringify(group)).pexpire(this.ignoredKey, this.retentionMs).exec(), null);
    if (!ok) throw new Error(`cannot write to the question log (${this.where}): Redis unavailable`);
  }

  close(): Promise<void> {
    return this.flush();
  }
}
