/**
 * What `npm run review` makes of the question log: similar questions grouped
 * with the matcher's own term vectors, each group's nearest topic and facet,
 * 👍/👎 per topic, and the rates (no answer, clarify, suggestions followed)
 * overall, per channel and per day. Pure: entries and an engine in, data out.
 *
 * Grouping: each distinct logged text becomes the vector of the terms the
 * matcher reads (characters, bigrams, words, lexicon entities), weighted by
 * how few of the matcher's labels use a term (class-level idf, as the matcher
 * weighs them; a term no training line has weighs most, and a term every
 * label uses weighs nothing). Texts are then merged bottom-up by average
 * cosine (UPGMA) while the closest two groups are at least GROUP_THRESHOLD alike.
 */
import { createHash } from 'node:crypto';
import { toCandidates, type Engine } from '../engine/engine.js';
import type { Parse } from '../nlu/pipeline.js';
import type { FeedbackEntry, IgnoredGroup, LogEntry, QuestionEntry, QuestionReason, TallyEntry } from './question-log.js';
import { utcDay } from './question-log.js';

/** Average cosine two groups need to be merged. */
export const GROUP_THRESHOLD = 0.22;
/** Distinct texts grouped at most (the most asked first); the rest are counted, not grouped. */
export const MAX_GROUPED_TEXTS = 2000;

export interface GroupText {
  text: string;
  count: number;
}

export interface QuestionGroup {
  /** Stable for the same log: a digest of the group's earliest text. */
  id: string;
  /** Logged questions in the group. */
  count: number;
  /** Its distinct texts, most asked first. */
  texts: GroupText[];
  reasons: Partial<Record<QuestionReason, number>>;
  channels: Record<string, number>;
  /** The topic the group's texts rank highest on average, with that score. */
  nearest: { topic: string; name: string; score: number } | null;
  /** The section of that topic the texts ask about most. */
  facet: { facet: string; score: number } | null;
  first: number;
  last: number;
}

export interface Rates {
  typed: number;
  fallback: number;
  clarify: number;
  offered: number;
  followed: number;
  /** fallback / typed (null without typed questions). */
  noAnswerRate: number | null;
  clarifyRate: number | null;
  /** followed / offered. */
  followedRate: number | null;
}

export interface Review {
  /** The window read: from the oldest entry kept to now. */
  from: number;
  to: number;
  days: number;
  /** Logged questions (all reasons). */
  questions: number;
  groups: QuestionGroup[];
  /** Groups hidden with --ignore, or taken into a topic with --accept (`topic`). */
  hidden: (QuestionGroup & { action: 'ignore' | 'accept'; topic?: string })[];
  /** Distinct texts beyond MAX_GROUPED_TEXTS, not grouped. */
  ungrouped: number;
  feedback: { topic: string; name: string; up: number; down: number }[];
  totals: Rates;
  channels: ({ channel: string } & Rates)[];
  daily: ({ day: string } & Rates)[];
}

export interface ReviewOptions {
  days: number;
  now?: number;
  ignored?: readonly IgnoredGroup[];
  threshold?: number;
}

/** The id of a group whose earliest text is `text`. */
export const groupId = (text: string, length = 6): string => 'g' + createHash('sha256').update(text).digest('hex').slice(0, length);

type Vector = Map<string, number>;

/** Class-level idf of every term the matcher was trained on: ln((L+1)/(labels using it + 1)). */
function termWeights(engine: Engine): (term: string) => number {
  const labelsOf = new Map<string, Set<string>>();
  const labels = new Set<string>();
  for (const e of engine.matcher.examples) {
    labels.add(e.label);
    for (const t of engine.nlu.featurize(e.text)) {
      let s = labelsOf.get(t);
      if (!s) labelsOf.set(t, (s = new Set()));
      s.add(e.label);
    }
  }
  const l = labels.size;
  return (term) => Math.log((l + 1) / ((labelsOf.get(term)?.size ?? 0) + 1));
}

const HAN_BIGRAM_RE = /^\p{Script=Han}{2}$/u;


/**
 * The matcher's terms of a parse, without the character bigrams that straddle two words
 * ("红包限额" gives 包限): noise for grouping, and, never seen in training, they would weigh most.
 */
export function groupingTerms(parse: Parse): string[] {
  const { terms, starts, ends } = parse.terms;
  return terms.filter((t, i) => !HAN_BIGRAM_RE.test(t) || parse.tokens.some((tok) => tok.start <= starts[i]! && ends[i]! <= tok.end));
}

function unitVector(terms: readonly string[], weight: (t: string) => number): Vector {
  const v: Vector = new Map();
  for (const t of terms) {
    const w = weight(t);
    if (w > 0) v.set(t, (v.get(t) ?? 0) + w);
  }
  let norm = 0;
  for (const x of v.values()) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [t, x] of v) v.set(t, x / norm);
  return v;
}

function cosine(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [t, x] of small) {
    const y = large.get(t);
    if (y !== undefined) s += x * y;
  }
  return s;
}

/**
 * Average-linkage clustering of `vectors` (in a fixed order), merging while the closest pair of
 * groups is at least `threshold` alike. Returns the groups as lists of indices, in input order.
 */
export function clusterVectors(vectors: readonly Vector[], threshold: number): number[][] {
  const n = vectors.length;
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) sim[i * n + j] = sim[j * n + i] = cosine(vectors[i]!, vectors[j]!);
  const active = new Uint8Array(n).fill(1);
  const size = new Float64Array(n).fill(1);
  const members: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const best = new Int32Array(n).fill(-1);
  const bestSim = new Float64Array(n).fill(-1);
  const findBest = (i: number) => {
    best[i] = -1;
    bestSim[i] = -1;
    for (let k = 0; k < n; k++) {
      if (k === i || !active[k]) continue;
      const s = sim[i * n + k]!;
      if (s > bestSim[i]!) {
        bestSim[i] = s;
        best[i] = k;
      }
    }
  };
  for (let i = 0; i < n; i++) findBest(i);
  for (;;) {
    let a = -1;
    for (let i = 0; i < n; i++) if (active[i] && best[i]! >= 0 && (a < 0 || bestSim[i]! > bestSim[a]!)) a = i;
    if (a < 0 || bestSim[a]! < threshold) break;
    let b = best[a]!;
    if (b < a) [a, b] = [b, a];
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a || k === b) continue;
      const s = (size[a]! * sim[a * n + k]! + size[b]! * sim[b * n + k]!) / (size[a]! + size[b]!);
      sim[a * n + k] = sim[k * n + a] = s;
    }
    size[a]! += size[b]!;
    active[b] = 0;
    members[a]!.push(...members[b]!);
    findBest(a);
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      if (best[k] === a || best[k] === b) findBest(k);
      else if (sim[k * n + a]! > bestSim[k]! || (sim[k * n + a] === bestSim[k] && a < best[k]!)) {
        bestSim[k] = sim[k * n + a]!;
        best[k] = a;
      }
    }
  }
  const out: number[][] = [];
  for (let i = 0; i < n; i++) if (active[i]) out.push(members[i]!.sort((x, y) => x - y));
  return out;
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);
function ratesOf(tallies: readonly TallyEntry[]): Rates {
  let typed = 0;
  let fallback = 0;
  let clarify = 0;
  let offered = 0;
  let followed = 0;
  for (const t of tallies) {
    typed += t.typed;
    fallback += t.kinds.fallback ?? 0;
    clarify += t.kinds.clarify ?? 0;
    offered += t.offered;
    followed += t.followed;
  }
  return { typed, fallback, clarify, offered, followed, noAnswerRate: rate(fallback, typed), clarifyRate: rate(clarify, typed), followedRate: rate(followed, offered) };
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** Groups and measures the log's entries with `engine` (the content of now). */
export function buildReview(entries: readonly LogEntry[], engine: Engine, options: ReviewOptions): Review {
  const now = options.now ?? Date.now();
  const threshold = options.threshold ?? GROUP_THRESHOLD;
  const questions = entries.filter((e): e is QuestionEntry => e.type === 'question' && e.text !== '');
  const tallies = entries.filter((e): e is TallyEntry => e.type === 'tally');
  const feedbacks = entries.filter((e): e is FeedbackEntry => e.type === 'feedback');
  const names = new Map(engine.topics.map((t) => [t.id, t.name]));

  // Distinct texts in order of first appearance (the log is oldest first), with their entries.
  const byText = groupBy(
    [...questions].sort((a, b) => a.t - b.t || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)),
    (e) => e.text,
  );
  const distinct = [...byText.keys()];
  // The most asked texts are grouped first when there are too many (ties: the earlier).
  const order = distinct.map((text, i) => ({ text, i, n: byText.get(text)!.length }));
  const kept = order.length > MAX_GROUPED_TEXTS ? [...order].sort((a, b) => b.n - a.n || a.i - b.i).slice(0, MAX_GROUPED_TEXTS).sort((a, b) => a.i - b.i) : order;

  const weight = kept.length ? termWeights(engine) : () => 0;
  const parses = kept.map((k) => engine.nlu.parse(k.text));
  const vectors = parses.map((p) => unitVector(groupingTerms(p), weight));
  const clusters = clusterVectors(vectors, threshold);
  const topicIds = new Set(engine.topics.map((t) => t.id));
  // Each distinct text's topic scores, computed once.
  const rankings = parses.map((p) => new Map(toCandidates(engine.matcher.rankTerms(p.terms.terms, p.text)).map((c) => [c.topic, c.score])));

  const ignored = options.ignored ?? [];
  const groups: QuestionGroup[] = [];
  const hidden: Review['hidden'] = [];
  const usedIds = new Set<string>();
  for (const members of clusters) {
    const texts = members.map((m) => ({ text: kept[m]!.text, count: byText.get(kept[m]!.text)!.length, first: kept[m]!.i, m }));
    const all = texts.flatMap((t) => byText.get(t.text)!);
    let id = groupId(texts[0]!.text);
    for (let len = 8; usedIds.has(id); len += 2) id = groupId(texts[0]!.text, len);
    usedIds.add(id);
    const reasons: Partial<Record<QuestionReason, number>> = {};
    const channels: Record<string, number> = {};
    for (const e of all) {
      reasons[e.reason] = (reasons[e.reason] ?? 0) + 1;
      channels[e.channel] = (channels[e.channel] ?? 0) + 1;
    }
    // Nearest topic: the count-weighted mean of each text's score for it.
    const total = texts.reduce((s, t) => s + t.count, 0);
    let nearest: QuestionGroup['nearest'] = null;
    for (const topic of topicIds) {
      const score = texts.reduce((s, t) => s + t.count * (rankings[t.m]!.get(topic) ?? 0), 0) / total;
      if (!nearest || score > nearest.score) nearest = { topic, name: names.get(topic) ?? topic, score: round(score) };
    }
    let facet: QuestionGroup['facet'] = null;
    if (nearest) {
      const hit = engine.sections.rank(nearest.topic, texts.flatMap((t) => parses[t.m]!.terms.terms))[0];
      if (hit && hit.score > 0) facet = { facet: hit.facet, score: round(hit.score) };
    }
    const group: QuestionGroup = {
      id,
      count: all.length,
      texts: [...texts].sort((a, b) => b.count - a.count || a.first - b.first).map(({ text, count }) => ({ text, count })),
      reasons,
      channels,
      nearest,
      facet,
      first: all.reduce((m, e) => Math.min(m, e.t), Infinity),
      last: all.reduce((m, e) => Math.max(m, e.t), -Infinity),
    };
    // Hidden by its id, or, grown or regrouped since, when half its texts or more were in the hidden group.
    const by =
      ignored.find((g) => g.id === id) ??
      ignored.find((g) => {
        const set = new Set(g.texts);
        return texts.filter((t) => set.has(t.text)).length * 2 >= texts.length;
      });
    if (by) hidden.push({ ...group, action: by.action ?? 'ignore', ...(by.topic ? { topic: by.topic } : {}) });
    else groups.push(group);
  }
  const byCount = (a: QuestionGroup, b: QuestionGroup) => b.count - a.count || a.first - b.first;
  groups.sort(byCount);
  hidden.sort(byCount);

  const feedback = [...groupBy(feedbacks, (f) => f.topic)]
    .map(([topic, list]) => ({ topic, name: names.get(topic) ?? topic, up: list.filter((f) => f.useful).length, down: list.filter((f) => !f.useful).length }))
    .sort((a, b) => b.down - a.down || b.up - a.up || (a.topic < b.topic ? -1 : 1));

  const channels = [...groupBy(tallies, (t) => t.channel)]
    .map(([channel, list]) => ({ channel, ...ratesOf(list) }))
    .sort((a, b) => b.typed - a.typed || (a.channel < b.channel ? -1 : 1));
  const daily = [...groupBy(tallies, (t) => utcDay(t.t))].map(([day, list]) => ({ day, ...ratesOf(list) })).sort((a, b) => (a.day < b.day ? -1 : 1));

  return {
    from: entries.reduce((m, e) => Math.min(m, e.t), now),
    to: now,
    days: options.days,
    questions: questions.length,
    groups,
    hidden,
    ungrouped: distinct.length - kept.length,
    feedback,
    totals: ratesOf(tallies),
    channels,
    daily,
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
