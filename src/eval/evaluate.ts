/**
 * Accuracy measurement over labelled phrasings: top-1, out-of-scope recall and
 * precision, per-topic precision/recall, macro-F1 and the confusion pairs.
 * Used by `npm run eval` and by the accuracy-floor tests.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';
import { OUT_OF_SCOPE } from '../engine/engine.js';

export interface LabelledText {
  text: string;
  /** A topic id, a meta.* id, or 'oos'. */
  topic: string;
  /** The held-out file it comes from (held-out sets only). */
  file?: string;
}

export interface TopicMetrics {
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface EvalReport {
  n: number;
  top1: number;
  oosRecall: number;
  oosPrecision: number;
  macroF1: number;
  perTopic: Record<string, TopicMetrics>;
  confusions: { expected: string; got: string; count: number }[];
  errors: { text: string; expected: string; got: string }[];
}

/** What the bot did with a fresh conversation, as a label: the topic, a meta.* id, or 'oos'. */
export function predictLabel(engine: Engine, text: string): string {
  const { reply } = engine.respond(null, text, 0);
  return reply.kind === 'fallback' || reply.topic === null ? OUT_OF_SCOPE : reply.topic;
}

export function evaluate(engine: Engine, items: readonly LabelledText[]): EvalReport {
  return evaluateWith((text) => predictLabel(engine, text), items);
}

/** The same report for any classifier that maps a text to a label ('oos' when out of scope). */
export function evaluateWith(predict: (text: string) => string, items: readonly LabelledText[]): EvalReport {
  const labels = new Set<string>();
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const confusion = new Map<string, number>();
  const errors: EvalReport['errors'] = [];
  let right = 0;
  for (const item of items) {
    const got = predict(item.text);
    labels.add(item.topic);
    if (got === item.topic) {
      right++;
      inc(tp, got);
    } else {
      labels.add(got);
      inc(fp, got);
      inc(fn, item.topic);
      inc(confusion, `${item.topic}\t${got}`);
      errors.push({ text: item.text, expected: item.topic, got });
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  const perTopic: Record<string, TopicMetrics> = {};
  for (const label of [...labels].sort()) {
    const t = tp.get(label) ?? 0;
    const precision = ratio(t, t + (fp.get(label) ?? 0));
    const recall = ratio(t, t + (fn.get(label) ?? 0));
    const support = t + (fn.get(label) ?? 0);
    perTopic[label] = { support, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
  }
  const supported = Object.values(perTopic).filter((m) => m.support > 0);
  const oos = perTopic[OUT_OF_SCOPE];
  return {
    n: items.length,
    top1: ratio(right, items.length),
    oosRecall: oos && oos.support ? oos.recall : 1,
    oosPrecision: oos ? oos.precision : 1,
    macroF1: supported.reduce((s, m) => s + m.f1, 0) / (supported.length || 1),
    perTopic,
    confusions: [...confusion]
      .map(([k, count]) => {
        const [expected, got] = k.split('\t') as [string, string];
        return { expected, got, count };
      })
      .sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected)),
    errors,
  };
}

const heldOutFile = z.union([
  z.strictObject({ topic: z.string(), phrasings: z.array(z.string()).min(1) }),
  z.strictObject({ items: z.array(z.strictObject({ text: z.string(), topic: z.string() })).min(1) }),
  z.strictObject({ phrasings: z.array(z.strictObject({ text: z.string(), topic: z.string() })).min(1) }),
]);

/** The held-out phrasings in tests/fixtures/held-out/ (never in intents/). */
export function loadHeldOut(dir: string): LabelledText[] {
  const out: LabelledText[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const data = heldOutFile.parse(parseYaml(readFileSync(join(dir, name), 'utf8')));
    if ('items' in data) out.push(...data.items.map((i) => ({ ...i, file: name })));
    else if ('topic' in data) out.push(...data.phrasings.map((text) => ({ text, topic: data.topic, file: name })));
    else out.push(...data.phrasings.map((i) => ({ ...i, file: name })));
  }
  return out;
}

/** A JSONL file of {"text", "topic"} lines, such as ../shared/eval/dev-real.jsonl. */
export function loadJsonl(path: string): LabelledText[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => z.object({ text: z.string(), topic: z.string() }).parse(JSON.parse(l)));
}

/** Keeps items whose topic is in `topics` (out-of-scope and small talk always stay). */
export function filterTopics(items: readonly LabelledText[], topics: readonly string[] | null): LabelledText[] {
  if (!topics) return [...items];
  return items.filter((i) => i.topic === OUT_OF_SCOPE || i.topic.startsWith('meta.') || topics.includes(i.topic));
}
