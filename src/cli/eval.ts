/**
 * `npm run eval`: accuracy on the held-out phrasings (tests/fixtures/held-out)
 * and on ../shared/eval/dev-real.jsonl. `--topics a,b` keeps only those topics
 * (out-of-scope and small talk stay); `--errors` lists every miss.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadContent, PROJECT_ROOT } from '../content/load.js';
import { createEngine } from '../engine/engine.js';
import { evaluate, filterTopics, loadHeldOut, loadJsonl, type EvalReport } from '../eval/evaluate.js';
import { evaluateConversations, loadConversations } from '../eval/conversations.js';

// Piped into `head` and closed early: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

const { values } = parseArgs({
  options: {
    topics: { type: 'string' },
    errors: { type: 'boolean', default: false },
    'dev-real': { type: 'string', default: join(PROJECT_ROOT, '../shared/eval/dev-real.jsonl') },
  },
});
const topics = values.topics ? values.topics.split(',').map((t) => t.trim()).filter(Boolean) : null;
const engine = createEngine(loadContent());
const sets: [string, ReturnType<typeof loadHeldOut>][] = [
  ['held-out (tests/fixtures/held-out)', filterTopics(loadHeldOut(join(PROJECT_ROOT, 'tests/fixtures/held-out')), topics)],
  ['dev-real (../shared/eval/dev-real.jsonl)', filterTopics(loadJsonl(values['dev-real']), topics)],
];

const pct = (x: number) => (100 * x).toFixed(1).padStart(5) + '%';
for (const [name, items] of sets) {
  console.log(`\n== ${name}: ${items.length} phrasings`);
  if (!items.length) {
    console.log('   (not found)');
    continue;
  }
  const r: EvalReport = evaluate(engine, items);
  console.log(`top-1 accuracy        ${pct(r.top1)}`);
  console.log(`out-of-scope recall   ${pct(r.oosRecall)}`);
  console.log(`out-of-scope precision${pct(r.oosPrecision)}`);
  console.log(`macro-F1              ${pct(r.macroF1)}`);
  const files = [...new Set(items.map((i) => i.file).filter((f): f is string => !!f))];
  if (files.length > 1) {
    console.log('\nper file                n   top-1');
    for (const f of files) {
      const part = evaluate(engine, items.filter((i) => i.file === f));
      console.log(`  ${f.padEnd(20)} ${String(part.n).padStart(3)}   ${pct(part.top1)}`);
    }
  }
  console.log('\nper topic               n   precision  recall');
  for (const [topic, m] of Object.entries(r.perTopic)) {
    if (m.support === 0) continue;
    console.log(`  ${topic.padEnd(20)} ${String(m.support).padStart(3)}   ${pct(m.precision)}   ${pct(m.recall)}`);
  }
  console.log('\nmost frequent confusions (expected -> got)');
  for (const c of r.confusions.slice(0, 10)) console.log(`  ${String(c.count).padStart(3)}  ${c.expected} -> ${c.got}`);
  if (values.errors) {
    console.log('\nmisses');
    for (const e of r.errors) console.log(`  ${e.expected} -> ${e.got}: ${e.text}`);
  }
}

const scripts = loadConversations(join(PROJECT_ROOT, 'tests/conversations'));
const c = evaluateConversations(engine, scripts);
console.log(`\n== conversation scripts (tests/conversations): ${c.conversations} conversations, ${c.turns} turns`);
console.log(`turns right           ${pct(c.right / c.turns)}  (${c.right}/${c.turns})`);
console.log(`facet turns, facet    ${pct(c.facetRight / Math.max(c.facetTurns, 1))}  (${c.facetRight}/${c.facetTurns})`);
console.log('\nper kind of turn       n   right');
for (const [tag, s] of Object.entries(c.byTag)) console.log(`  ${tag.padEnd(20)} ${String(s.turns).padStart(3)}   ${pct(s.right / s.turns)}`);
const known = c.outcomes.filter((o) => o.knownFailure);
console.log(`known failures (reviewed, in the scripts): ${known.length}; of them now right: ${known.filter((o) => o.ok).length}`);
if (values.errors) {
  console.log('\nturns missed');
  for (const o of c.outcomes.filter((x) => !x.ok)) console.log(`  ${o.file} "${o.conversation}" #${o.turn} [${o.tags.join(',')}] "${o.say}": got ${o.got}, want ${o.want}${o.knownFailure ? ' (known)' : ''}`);
}
