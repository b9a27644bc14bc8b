/**
 * Conversation scripts (tests/conversations/**.yaml) run through the engine.
 * Every turn is asserted: a turn either gets what the script expects, or is a
 * reviewed known failure (`known_failure: <reason>` in the script), which must
 * still fail so the list stays true. The floors below are asserted as well.
 */
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { realEngine } from './helpers.js';
import { toTraditional } from '../src/nlu/normalize.js';
import { evaluateConversations, loadConversations, runConversation, TURN_TAGS } from '../src/eval/conversations.js';

const conversations = loadConversations(join(import.meta.dirname, 'conversations'));
const engine = realEngine();

/**
 * Issue #10's floor for turns (0.95), met since the fifth session of 2026-12-03 (596 of 627); facet turns
 * just under today's figure (94.7%), above the issue's 0.90. The README's "Accuracy" section says where each stands.
 * Every turn below them is listed above as a known failure with its reason.
 */
const FLOORS = { turns: 0.95, facets: 0.94 };

describe('conversation scripts', () => {
  it('has the conversations and kinds of turn the evaluation needs', () => {
    const turns = conversations.flatMap((c) => c.turns);
    const tagged = (t: (typeof TURN_TAGS)[number]) => turns.filter((x) => x.tags?.includes(t)).length;
    expect(conversations.length).toBeGreaterThanOrEqual(60);
    expect(turns.length).toBeGreaterThanOrEqual(200);
    expect(tagged('detail')).toBeGreaterThanOrEqual(50);
    expect(tagged('ellipsis')).toBeGreaterThanOrEqual(20);
    expect(tagged('correction')).toBeGreaterThanOrEqual(10);
    expect(tagged('pronoun')).toBeGreaterThanOrEqual(10);
    expect(tagged('switch')).toBeGreaterThanOrEqual(10);
    expect(tagged('oos')).toBeGreaterThanOrEqual(5);
  });

  for (const c of conversations) {
    it(`${c.file}: ${c.name}`, () => {
      for (const o of runConversation(engine, c)) {
        const where = `#${o.turn} "${o.say}": got ${o.got}, want ${o.want}`;
        if (o.knownFailure) expect(o.ok, `${where} is listed as a known failure but now passes: remove its known_failure`).toBe(false);
        else expect(o.ok, where).toBe(true);
      }
    });
  }

  // People write the same turns in Traditional characters, without punctuation (or dictated),
  // and with courtesies around them: each variant of the scripts stays within 2 points of them.
  const plain = evaluateConversations(engine, conversations);
  const variants: [string, (say: string, first: boolean) => string][] = [
    ['in Traditional characters', (say) => toTraditional(say)],
    ['without punctuation', (say) => say.replace(/[\p{P}]/gu, '')],
    ['with 谢谢 before every follow-up', (say, first) => (first || /^\d+$/.test(say) ? say : '谢谢,' + say)],
    ['with 谢谢 after every follow-up', (say, first) => (first || /^\d+$/.test(say) ? say : say + ',谢谢')],
  ];
  for (const [name, change] of variants) {
    it(`keeps its turns right ${name}, within 2 points`, () => {
      const changed = conversations.map((c) => ({ ...c, turns: c.turns.map((t, i) => ({ ...t, say: change(t.say, i === 0) })) }));
      const r = evaluateConversations(engine, changed);
      expect(r.right / r.turns).toBeGreaterThanOrEqual(plain.right / plain.turns - 0.02);
    });
  }

  it(`gets at least ${FLOORS.turns * 100}% of all turns right and ${FLOORS.facets * 100}% of facet turns with the right facet`, () => {
    const r = evaluateConversations(engine, conversations);
    expect(r.right / r.turns).toBeGreaterThanOrEqual(FLOORS.turns);
    expect(r.facetRight / r.facetTurns).toBeGreaterThanOrEqual(FLOORS.facets);
  });
});
