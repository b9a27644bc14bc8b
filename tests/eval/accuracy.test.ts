/**
 * Accuracy floors, measured on phrasings the matcher never trains on: the
 * floors of issue #3 (measured figures are in the README, "Accuracy").
 */
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, loadHeldOut, loadJsonl } from '../../src/eval/evaluate.js';
import { PROJECT_ROOT } from '../../src/content/load.js';
import { normalize } from '../../src/nlu/normalize.js';
import { realEngine, realKnowledge } from '../helpers.js';

const HELD_OUT = join(PROJECT_ROOT, 'tests/fixtures/held-out');
const DEV_REAL = join(PROJECT_ROOT, '../shared/eval/dev-real.jsonl');

export const FLOORS = {
  heldOut: { top1: 0.93, oosRecall: 0.9 },
  devReal: { top1: 0.88, oosRecall: 0.85 },
};

describe('held-out phrasings (tests/fixtures/held-out)', () => {
  const items = loadHeldOut(HELD_OUT);
  const report = evaluate(realEngine(), items);

  it('has at least 12 phrasings per topic and 100 out-of-scope ones', () => {
    const count = (t: string) => items.filter((i) => i.topic === t).length;
    for (const t of realKnowledge().topics) expect(count(t.id), t.id).toBeGreaterThanOrEqual(12);
    expect(count('oos')).toBeGreaterThanOrEqual(100);
  });

  it('never appears in the training utterances', () => {
    const training = new Set(realEngine().matcher.examples.map((e) => e.text.replace(/\s/g, '')));
    const leaked = items.filter((i) => training.has(normalize(i.text).replace(/\s/g, '')));
    expect(leaked).toEqual([]);
  });

  it(`top-1 accuracy >= ${FLOORS.heldOut.top1}`, () => expect(report.top1).toBeGreaterThanOrEqual(FLOORS.heldOut.top1));
  it(`out-of-scope recall >= ${FLOORS.heldOut.oosRecall}`, () =>
    expect(report.oosRecall).toBeGreaterThanOrEqual(FLOORS.heldOut.oosRecall));
});

describe.skipIf(!existsSync(DEV_REAL))('real questions (../shared/eval/dev-real.jsonl)', () => {
  const items = loadJsonl(DEV_REAL);
  const report = evaluate(realEngine(), items);

  it('is kept out of intents/', () => {
    const training = new Set(realEngine().matcher.examples.map((e) => e.text.replace(/\s/g, '')));
    expect(items.filter((i) => training.has(normalize(i.text).replace(/\s/g, '')))).toEqual([]);
  });

  it(`top-1 accuracy >= ${FLOORS.devReal.top1}`, () => expect(report.top1).toBeGreaterThanOrEqual(FLOORS.devReal.top1));
  it(`out-of-scope recall >= ${FLOORS.devReal.oosRecall}`, () =>
    expect(report.oosRecall).toBeGreaterThanOrEqual(FLOORS.devReal.oosRecall));
});
