/**
 * Accuracy floors, measured on phrasings the matcher never trains on. Where
 * issue #10's floor is met it is asserted as is (out-of-scope recall 0.95 and
 * 0.90, dev-real top-1 0.90); where it is not (held-out top-1 0.96) the floor
 * sits just under today's figure, so a regression fails, and the README's
 * "Accuracy" section says how far off the issue's floor it is.
 */
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, loadHeldOut, loadJsonl } from '../../src/eval/evaluate.js';
import { loadConversations } from '../../src/eval/conversations.js';
import { PROJECT_ROOT } from '../../src/content/load.js';
import { normalize } from '../../src/nlu/normalize.js';
import { realEngine, realKnowledge } from '../helpers.js';

const HELD_OUT = join(PROJECT_ROOT, 'tests/fixtures/held-out');
const DEV_REAL = join(PROJECT_ROOT, '../shared/eval/dev-real.jsonl');

export const FLOORS = {
  // 0.90 since four themed files joined the set (863 phrasings); each was written before the work on its
  // theme, and each has its own floor below (top-1 when written in brackets). 0.91 since 2026-12-03 (91.1%).
  heldOut: { top1: 0.91, oosRecall: 0.95 },
  // dev-real top-1: the 0.90, met since the fifth session of 2026-12-03 (78 of 86).
  devReal: { top1: 0.9, oosRecall: 0.9 },
};

/**
 * A phrasing normalised (case, script, punctuation), as training lines are compared. Typo and
 * pinyin variants of a training line stay allowed: they test the repairs, not the memory.
 */
const asTrained = (text: string) => normalize(text).replace(/\s/g, '');
const trainingTexts = () =>
  new Set(
    [
      ...realKnowledge().topics.flatMap((t) => [...t.utterances, ...t.refusals, ...Object.values(t.followups).flat()]),
      ...realKnowledge().smalltalk.flatMap((s) => s.utterances),
      ...realKnowledge().offTopic,
    ].map(asTrained),
  );

describe('held-out phrasings (tests/fixtures/held-out)', () => {
  const items = loadHeldOut(HELD_OUT);
  const report = evaluate(realEngine(), items);

  it('has at least 12 phrasings per topic and 100 out-of-scope ones', () => {
    const count = (t: string) => items.filter((i) => i.topic === t).length;
    for (const t of realKnowledge().topics) expect(count(t.id), t.id).toBeGreaterThanOrEqual(12);
    expect(count('oos')).toBeGreaterThanOrEqual(100);
  });

  it('never appears in the training utterances', () => {
    const training = trainingTexts();
    const leaked = items.filter((i) => training.has(asTrained(i.text)));
    expect(leaked).toEqual([]);
  });

  it(`top-1 accuracy >= ${FLOORS.heldOut.top1}`, () => expect(report.top1).toBeGreaterThanOrEqual(FLOORS.heldOut.top1));
  it(`out-of-scope recall >= ${FLOORS.heldOut.oosRecall}`, () =>
    expect(report.oosRecall).toBeGreaterThanOrEqual(FLOORS.heldOut.oosRecall));
});

/**
 * Themed held-out files, each just under today's top-1 (when written: idcard 64%, paid-services 74%,
 * phone-numbers 73%, long-stories 69%; English, older, 89.4% on 2026-12-03).
 */
const THEMED_FLOORS: Record<string, number> = {
  'english.yaml': 0.89,
  'idcard.yaml': 0.83,
  'paid-services.yaml': 0.87,
  'phone-numbers.yaml': 0.77,
  'long-stories.yaml': 0.88,
};

describe('themed held-out files', () => {
  const items = loadHeldOut(HELD_OUT);
  for (const [file, floor] of Object.entries(THEMED_FLOORS)) {
    it(`${file}: top-1 >= ${floor}`, () => {
      const part = items.filter((i) => i.file === file);
      expect(part.length).toBeGreaterThan(50);
      expect(evaluate(realEngine(), part).top1).toBeGreaterThanOrEqual(floor);
    });
  }
});

describe('held-out phrasings with courtesies around them ("谢谢,…", "…?谢谢了")', () => {
  const items = loadHeldOut(HELD_OUT).filter((i) => realKnowledge().topics.some((t) => t.id === i.topic));
  const plain = evaluate(realEngine(), items).top1;
  for (const [before, after] of [['谢谢,', ''], ['你好 ', ''], ['客服你好,', ''], ['请教一下,', ''], ['', ',谢谢'], ['', '?谢谢了!'], ['', ' thanks'], ['', ',在线等,急']]) {
    it(`"${before}…${after}" stays within 2 points of the plain phrasings`, () => {
      const top1 = evaluate(realEngine(), items.map((i) => ({ ...i, text: before + i.text + after }))).top1;
      expect(top1).toBeGreaterThanOrEqual(plain - 0.02);
    });
  }
});

describe.skipIf(!existsSync(DEV_REAL))('real questions (../shared/eval/dev-real.jsonl)', () => {
  const items = loadJsonl(DEV_REAL);
  const report = evaluate(realEngine(), items);

  it('is kept out of intents/', () => {
    const training = trainingTexts();
    expect(items.filter((i) => training.has(asTrained(i.text)))).toEqual([]);
  });

  it(`top-1 accuracy >= ${FLOORS.devReal.top1}`, () => expect(report.top1).toBeGreaterThanOrEqual(FLOORS.devReal.top1));
  it(`out-of-scope recall >= ${FLOORS.devReal.oosRecall}`, () =>
    expect(report.oosRecall).toBeGreaterThanOrEqual(FLOORS.devReal.oosRecall));
});

describe('conversation scripts (tests/conversations)', () => {
  it('are kept out of intents/: no turn is a training line', () => {
    const training = trainingTexts();
    const turns = loadConversations(join(PROJECT_ROOT, 'tests/conversations')).flatMap((c) => c.turns.map((t) => t.say));
    // Short generic turns ("要多久", "谢谢", "2") are facet or small-talk phrasings by nature; longer ones must not be copies.
    expect(turns.filter((t) => [...asTrained(t)].length > 6 && training.has(asTrained(t)))).toEqual([]);
  });
});
