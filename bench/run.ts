/**
 * `npm run bench [-- --quick]`: our matcher against NLP.js and a fuse.js-only
 * baseline, on the same data and the same machine, plus latency, throughput,
 * the web chat (page weight, API throughput, time to first answer in Chromium),
 * cold start, memory and growth. Prints a table and writes bench/results.json.
 * It asserts nothing about time: this machine is shared and noisy, so ratios
 * measured side by side mean more than absolute figures.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import Fuse from 'fuse.js';
import { loadContent, PROJECT_ROOT, type KnowledgeBase } from '../src/content/load.js';
import { createEngine, trainingExamples, OUT_OF_SCOPE, labelTopic, type Engine } from '../src/engine/engine.js';
import { evaluateWith, loadHeldOut, loadJsonl, type EvalReport, type LabelledText } from '../src/eval/evaluate.js';
import { normalize, toTraditional } from '../src/nlu/normalize.js';
import type { Session } from '../src/engine/types.js';
import { trainNlpJs, type NlpJs } from './nlpjs.js';
import { measureThroughput } from './throughput.js';
import { measureWeb } from './web.js';
import { measureGrowth } from './growth.js';

const quick = process.argv.includes('--quick');
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  quick,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
};
const log = (s = '') => process.stdout.write(s + '\n');
const pct = (x: number) => (100 * x).toFixed(1) + '%';
const us = (ns: number) => (ns / 1000).toFixed(0);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A stable 1-in-5 split of the training data for tuning a threshold. */
const tuningFold = (text: string) => [...text].reduce((h, c) => (h * 31 + c.codePointAt(0)!) >>> 0, 7) % 5 === 0;

/** The threshold in 0..1 that maximises accuracy on the tuning part of the training data. */
function tuneThreshold(scored: { gold: string; label: string; score: number }[]): number {
  let best = { t: 0, acc: -1 };
  for (let t = 0; t <= 1.0001; t += 0.025) {
    const acc = scored.filter((s) => (s.score < t || s.label === OUT_OF_SCOPE ? OUT_OF_SCOPE : s.label) === s.gold).length;
    if (acc > best.acc) best = { t, acc };
  }
  return best.t;
}

/** Raw training utterances with their topic labels (refusals count as their topic). */
function rawExamples(kb: KnowledgeBase) {
  return [
    ...kb.topics.flatMap((t) => [...t.utterances, ...t.refusals].map((text) => ({ label: t.id, text }))),
    ...kb.smalltalk.flatMap((s) => s.utterances.map((text) => ({ label: s.id, text }))),
    ...kb.offTopic.map((text) => ({ label: OUT_OF_SCOPE, text })),
  ];
}

async function nlpJsContender(kb: KnowledgeBase) {
  const all = rawExamples(kb);
  // Threshold tuned fairly: train on 4/5 of the training data, pick it on the rest, retrain on all.
  const tuneModel = await trainNlpJs(all.filter((e) => !tuningFold(e.text)));
  const scored = [];
  for (const e of all.filter((e) => tuningFold(e.text))) {
    const r = await tuneModel.process(e.text);
    scored.push({ gold: e.label, label: r.intent === 'None' ? OUT_OF_SCOPE : r.intent, score: r.score });
  }
  const threshold = tuneThreshold(scored);
  const started = performance.now();
  const model = await trainNlpJs(all);
  const trainMs = performance.now() - started;
  return { model, threshold, trainMs };
}

function fuseContender(kb: KnowledgeBase) {
  const all = rawExamples(kb).map((e) => ({ label: e.label, text: normalize(e.text) }));
  const build = (items: typeof all) => new Fuse(items, { keys: ['text'], includeScore: true, ignoreLocation: true, threshold: 1 });
  const predict = (fuse: Fuse<(typeof all)[number]>, text: string) => {
    const [hit] = fuse.search(normalize(text).slice(0, 32), { limit: 1 });
    return hit ? { label: hit.item.label, score: 1 - (hit.score ?? 1) } : { label: OUT_OF_SCOPE, score: 0 };
  };
  const tuneFuse = build(all.filter((e) => !tuningFold(e.text)));
  const threshold = tuneThreshold(all.filter((e) => tuningFold(e.text)).map((e) => ({ gold: e.label, ...predict(tuneFuse, e.text) })));
  const fuse = build(all);
  return {
    threshold,
    classify: (text: string) => {
      const r = predict(fuse, text);
      return r.score < threshold ? OUT_OF_SCOPE : r.label;
    },
  };
}

async function understanding(kb: KnowledgeBase, engine: Engine) {
  log('\n(a) Understanding, every contender trained on exactly the utterances in intents/');
  const sets: [string, LabelledText[]][] = [
    ['held-out', loadHeldOut(join(PROJECT_ROOT, 'tests/fixtures/held-out'))],
    ['dev-real', loadJsonl(join(PROJECT_ROOT, '../shared/eval/dev-real.jsonl'))],
  ];
  const nlpjs = await nlpJsContender(kb);
  // The fuse.js baseline scans every utterance for each question (~80 ms each here): only the full run has it.
  const fuse = quick ? null : fuseContender(kb);
  const ours = (text: string) => {
    const { reply } = engine.respond(null, text, 0);
    return reply.kind === 'fallback' || reply.topic === null ? OUT_OF_SCOPE : reply.topic;
  };
  const out: Record<string, Record<string, unknown>> = {};
  log(
    fuse
      ? `   NLP.js threshold ${nlpjs.threshold.toFixed(3)} and fuse.js threshold ${fuse.threshold.toFixed(3)}, both tuned on a fifth of the training data`
      : `   NLP.js threshold ${nlpjs.threshold.toFixed(3)}, tuned on a fifth of the training data (the fuse.js baseline runs in the full benchmark only)`,
  );
  log('   set        contender   top-1    oos-recall  oos-precision  macro-F1');
  for (const [name, items] of sets) {
    if (!items.length) continue;
    const nlpPredictions = new Map<string, string>();
    for (const i of items) {
      const r = await nlpjs.model.process(i.text);
      nlpPredictions.set(i.text, r.score < nlpjs.threshold || r.intent === 'None' ? OUT_OF_SCOPE : labelTopic(r.intent));
    }
    const reports: Record<string, EvalReport> = {
      ours: evaluateWith(ours, items),
      'nlp.js': evaluateWith((t) => nlpPredictions.get(t)!, items),
      ...(fuse ? { 'fuse.js': evaluateWith(fuse.classify, items) } : {}),
    };
    for (const [who, r] of Object.entries(reports)) {
      log(`   ${name.padEnd(10)} ${who.padEnd(10)} ${pct(r.top1).padStart(6)}   ${pct(r.oosRecall).padStart(6)}      ${pct(r.oosPrecision).padStart(6)}       ${pct(r.macroF1).padStart(6)}`);
    }
    const diff = 100 * (reports.ours!.top1 - reports['nlp.js']!.top1);
    log(`   ${name}: ours - NLP.js = ${diff >= 0 ? '+' : ''}${diff.toFixed(1)} points top-1`);
    out[name] = Object.fromEntries(
      Object.entries(reports).map(([who, r]) => [who, { n: r.n, top1: r.top1, oosRecall: r.oosRecall, oosPrecision: r.oosPrecision, macroF1: r.macroF1 }]),
    );
    out[name]!.pointsAheadOfNlpJs = diff;
  }
  results.understanding = { ...out, nlpjsThreshold: nlpjs.threshold, ...(fuse ? { fuseThreshold: fuse.threshold } : {}) };
  return nlpjs;
}

/** 10,000 mixed messages: in-scope, follow-ups, off-topic, typos, Traditional, 2 KB stories. */
function latencyMessages(count: number): { text: string; followup: boolean }[] {
  const pool = [...loadHeldOut(join(PROJECT_ROOT, 'tests/fixtures/held-out')), ...loadJsonl(join(PROJECT_ROOT, '../shared/eval/dev-real.jsonl'))].map((i) => i.text);
  const followups = ['要多久?', '需要什么条件', '收费吗', '有什么影响', '找谁办', '能撤销吗', '不是这个', '2'];
  const story = (i: number) => (pool[i % pool.length]! + '。我之前试过很多办法都不行,').repeat(60).slice(0, 2048);
  return Array.from({ length: count }, (_, i) => {
    const k = i % 10;
    if (k < 5) return { text: pool[(i * 7) % pool.length]!, followup: false };
    if (k < 7) return { text: followups[i % followups.length]!, followup: true };
    if (k < 8) return { text: toTraditional(pool[(i * 3) % pool.length]!), followup: false };
    if (k < 9) return { text: pool[(i * 5) % pool.length]!.replace('实名', '实明').replace('注销', '注消'), followup: false };
    return { text: story(i), followup: false };
  });
}

async function latency(engine: Engine, nlpjs: NlpJs) {
  const count = quick ? 2000 : 10_000;
  log(`\n(b) Latency: ${count} mixed messages through engine.respond, and the same through NLP.js process()`);
  const messages = latencyMessages(count);
  let session: Session | null = null;
  for (const m of messages.slice(0, 500)) session = engine.respond(m.followup ? session : null, m.text).session; // warm-up
  const ours: number[] = [];
  for (const m of messages) {
    const t = process.hrtime.bigint();
    session = engine.respond(m.followup ? session : null, m.text).session;
    ours.push(Number(process.hrtime.bigint() - t));
  }
  for (const m of messages.slice(0, 200)) await nlpjs.process(m.text); // warm-up
  const theirs: number[] = [];
  for (const m of messages) {
    const t = process.hrtime.bigint();
    await nlpjs.process(m.text);
    theirs.push(Number(process.hrtime.bigint() - t));
  }
  const summary = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1)!, mean: xs.reduce((a, b) => a + b, 0) / xs.length };
  };
  const a = summary(ours);
  const b = summary(theirs);
  log(`   engine.respond   p50 ${us(a.p50)} µs   p99 ${us(a.p99)} µs   max ${us(a.max)} µs   mean ${us(a.mean)} µs`);
  log(`   NLP.js process() p50 ${us(b.p50)} µs   p99 ${us(b.p99)} µs   max ${us(b.max)} µs   mean ${us(b.mean)} µs`);
  log(`   NLP.js / ours: ${(b.mean / a.mean).toFixed(1)}× per message (mean), ${(b.p50 / a.p50).toFixed(1)}× at p50`);
  results.latency = {
    messages: count,
    oursMicros: { p50: a.p50 / 1000, p99: a.p99 / 1000, max: a.max / 1000, mean: a.mean / 1000 },
    nlpjsMicros: { p50: b.p50 / 1000, p99: b.p99 / 1000, max: b.max / 1000, mean: b.mean / 1000 },
    ratioMean: b.mean / a.mean,
  };
}

/** Loading jieba's dictionary in a fresh process (it is cached per process after that). */
function segmenterLoadMs(): number {
  const code = "import('@node-rs/jieba').then(async ({Jieba}) => { const {dict} = await import('@node-rs/jieba/dict.js'); const t = performance.now(); Jieba.withDict(dict); console.log(performance.now() - t); })";
  const r = spawnSync(process.execPath, ['-e', code], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  return Number(r.stdout.trim()) || NaN;
}

function coldStart(kb: KnowledgeBase, nlpTrainMs: number) {
  log('\n(d) Cold start');
  const loads: number[] = [];
  const builds: number[] = [];
  let examples = 0;
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    const fresh = loadContent();
    loads.push(performance.now() - t);
    t = performance.now();
    examples = createEngine(fresh).matcher.examples.length;
    builds.push(performance.now() - t);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const firstAnswer: number[] = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/ask.ts', '微信怎么解除实名认证'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (r.status !== 0 || !r.stdout.includes('注销微信支付')) throw new Error('ask failed during the cold-start measurement');
    firstAnswer.push(performance.now() - t);
  }
  log(`   load and validate content  ${median(loads).toFixed(0)} ms (median of 5)`);
  log(`   build the index            ${median(builds).toFixed(0)} ms (median of 5; ${examples} examples; the word segmenter's dictionary is loaded once per process and not counted: ${segmenterLoadMs().toFixed(0)} ms)`);
  log(`   process start -> answer    ${median(firstAnswer).toFixed(0)} ms (npm run ask, via tsx)`);
  log(`   NLP.js training            ${nlpTrainMs.toFixed(0)} ms (same data)`);
  results.coldStart = { loadMs: median(loads), indexMs: median(builds), firstAnswerMs: median(firstAnswer), nlpjsTrainMs: nlpTrainMs };
}

function memory() {
  log('\n(e) Memory (a fresh process: index built, then live sessions in the memory store)');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/memory.ts', quick ? '10000' : '100000'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  log(`   after index build      RSS ${m.index} MB`);
  log(`   10,000 sessions        RSS ${m.s10k} MB`);
  if (m.s100k) log(`   100,000 sessions       RSS ${m.s100k} MB`);
  results.memoryMB = m;
}

async function main() {
  log(`realname-helper benchmark${quick ? ' (quick)' : ''} on ${(results.machine as { cpus: number }).cpus} cores, Node ${process.version}`);
  const kb = loadContent();
  const engine = createEngine(kb);
  const nlpjs = await understanding(kb, engine);
  await latency(engine, nlpjs.model);
  results.throughput = await measureThroughput(engine, { quick, log });
  results.web = await measureWeb({ quick, log });
  coldStart(kb, nlpjs.trainMs);
  memory();
  results.growth = measureGrowth(kb, { quick, log });
  mkdirSync(join(PROJECT_ROOT, 'bench'), { recursive: true });
  writeFileSync(join(PROJECT_ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
  log('\nwritten: bench/results.json');
}

await main();
