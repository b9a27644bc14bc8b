import { describe, it, expect } from 'vitest';
import * as OpenCC from 'opencc-js';
import { analyse, toTraditional } from '../../src/nlu/normalize.js';
import { realKnowledge } from '../helpers.js';

// analyse() skips the Traditional-to-Simplified conversion for text no entry of it can change:
// it must give what converting every text would.
const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
const HAN_RE = /\p{Script=Han}/u;
const reference = (text: string) => {
  const nfkc = text.normalize('NFKC');
  const simplified = toSimplified(nfkc);
  return { simplified, traditional: simplified !== nfkc && HAN_RE.test(nfkc) };
};
/** The Simplified text analyse() worked from, recovered from its `clean` (lower case, punctuation to spaces). */
const cleanOf = (simplified: string) => simplified.toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ').replace(/\s+/g, ' ').trim();

describe('analyse skips the conversion only where it changes nothing', () => {
  it('agrees with the full conversion on every single code point', () => {
    const bad: string[] = [];
    for (let cp = 0; cp < 0x30000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      if (analyse(c).traditional !== reference(c).traditional) bad.push(cp.toString(16));
    }
    expect(bad).toEqual([]);
  });

  it('agrees with the full conversion on every training line, Simplified and Traditional', () => {
    const kb = realKnowledge();
    const lines = [...kb.topics.flatMap((t) => [...t.utterances, ...t.refusals]), ...kb.smalltalk.flatMap((s) => s.utterances), ...kb.offTopic];
    for (const text of [...lines, ...lines.map(toTraditional)]) {
      const ref = reference(text);
      const got = analyse(text);
      expect({ text, clean: got.clean, traditional: got.traditional }).toEqual({ text, clean: cleanOf(ref.simplified), traditional: ref.traditional });
    }
  });
});
