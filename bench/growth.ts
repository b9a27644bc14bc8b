/**
 * (f) Growth: synthetic corpora 10× and 100× the size of ours (generated
 * topics with generated utterances); how index time and per-message latency grow.
 */
import { createMatcher, type Example } from '../src/nlu/matcher.js';
import { trainingExamples, createTopicMatcher } from '../src/engine/engine.js';
import { createNlu } from '../src/nlu/pipeline.js';
import type { KnowledgeBase } from '../src/content/load.js';

/** Deterministic synthetic topics: each has its own key words inside shared question templates. */
function synthetic(labels: number, perLabel: number, seed = 1): Example[] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const han = () => String.fromCodePoint(0x4e00 + Math.floor(rand() * 0x5000));
  const templates = ['微信{k}怎么办', '怎么{k}', '{k}要多久', '我想问一下{k}', '{k}可以吗', '为什么{k}不行', '{k}在哪里', '请问{k}需要什么'];
  const out: Example[] = [];
  for (let l = 0; l < labels; l++) {
    const keys = Array.from({ length: 4 }, () => han() + han());
    for (let u = 0; u < perLabel; u++) {
      const k = keys[u % keys.length]! + (u % 3 === 0 ? keys[(u + 1) % keys.length] : '');
      out.push({ label: `syn.t${l}`, text: templates[u % templates.length]!.replace('{k}', k) });
    }
  }
  return out;
}

export function measureGrowth(kb: KnowledgeBase, { quick, log }: { quick: boolean; log: (s: string) => void }) {
  log('\n(f) Growth (synthetic corpora; index build and rank latency)');
  const nlu = createNlu(kb);
  const base = trainingExamples(kb, nlu);
  const labels = new Set(base.map((e) => e.label)).size;
  const perLabel = Math.round(base.length / labels);
  const factors = quick ? [1, 10] : [1, 10, 100];
  const rows: { factor: number; examples: number; labels: number; indexMs: number; p50Micros: number; p99Micros: number; rssMB: number }[] = [];
  for (const factor of factors) {
    const examples = factor === 1 ? base : [...base, ...synthetic(labels * (factor - 1), perLabel, factor)];
    const labelCount = new Set(examples.map((e) => e.label)).size;
    let matcher;
    const t = performance.now();
    try {
      matcher = createTopicMatcher(kb, nlu, examples);
    } catch (err) {
      log(`   ${String(factor).padStart(3)}×  ${examples.length} examples: index build failed (${(err as Error).message})`);
      break;
    }
    const indexMs = performance.now() - t;
    const queries = base.slice(0, 1000).map((e) => e.text);
    for (const q of queries.slice(0, 100)) matcher.rank(q);
    const times: number[] = [];
    for (const q of queries) {
      const s = process.hrtime.bigint();
      matcher.rank(q);
      times.push(Number(process.hrtime.bigint() - s) / 1000);
    }
    times.sort((a, b) => a - b);
    const row = {
      factor,
      examples: examples.length,
      labels: labelCount,
      indexMs,
      p50Micros: times[Math.floor(times.length / 2)]!,
      p99Micros: times[Math.floor(times.length * 0.99)]!,
      rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    rows.push(row);
    log(
      `   ${String(factor).padStart(3)}×  ${String(row.examples).padStart(7)} examples ${String(row.labels).padStart(5)} labels   index ${row.indexMs.toFixed(0).padStart(6)} ms   rank p50 ${row.p50Micros.toFixed(0)} µs p99 ${row.p99Micros.toFixed(0)} µs   RSS ${row.rssMB} MB`,
    );
  }
  if (rows.length > 1) {
    const [a, b] = [rows[0]!, rows.at(-1)!];
    const exponent = (x: number, y: number) => Math.log(y) / Math.log(b.examples / a.examples) + 0 * x;
    const indexExp = exponent(0, b.indexMs / a.indexMs);
    const latencyExp = exponent(0, b.p50Micros / a.p50Micros);
    const word = (e: number) => (e < 0.9 ? 'sub-linear' : e <= 1.15 ? 'linear' : 'worse than linear');
    log(`   index time grows as size^${indexExp.toFixed(2)} (${word(indexExp)}); rank latency as size^${latencyExp.toFixed(2)} (${word(latencyExp)})`);
    return { rows, indexExponent: indexExp, latencyExponent: latencyExp };
  }
  return { rows };
}
