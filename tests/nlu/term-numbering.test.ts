import { describe, it, expect } from 'vitest';
import { FlatTrie, termLookup, termNumbering } from '../../src/nlu/features.js';

// Terms of one or two code units are numbered and looked up in typed arrays: the answers must be
// those of a plain Map.
const sample = (() => {
  const out: string[] = [];
  let seed = 7;
  const next = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const unit = () => {
    const k = next(10);
    if (k < 5) return String.fromCharCode(0x4e00 + next(3000)); // Han
    if (k < 7) return String.fromCharCode(0x61 + next(26)); // Latin
    if (k < 8) return String.fromCodePoint(0x20000 + next(50)); // astral: two code units
    if (k < 9) return String.fromCharCode(next(0x10000)); // anything, lone surrogates included
    return String.fromCharCode(0xffff - next(3));
  };
  for (let i = 0; i < 30_000; i++) {
    const n = 1 + next(4);
    let t = '';
    for (let k = 0; k < n; k++) t += unit();
    out.push(t, n === 1 ? t : t.slice(0, 1), t.slice(0, 2));
  }
  return out;
})();

describe('term numbering and lookup by code units', () => {
  it('numbers terms in order of first sight, as a Map would (growing its pair table many times)', () => {
    const numbering = termNumbering();
    const reference = new Map<string, number>();
    for (const t of sample) {
      if (!reference.has(t)) reference.set(t, reference.size);
      expect(numbering.id(t)).toBe(reference.get(t));
    }
    expect(numbering.terms).toEqual([...reference.keys()]);
    expect([...reference.keys()].filter((t) => t.length === 2).length).toBeGreaterThan(5000);
  });

  it('looks terms up as Map.get does, known or not', () => {
    const known = new Map(sample.filter((_, i) => i % 3 === 0).map((t, i) => [t, i] as const));
    const lookup = termLookup(known);
    for (const t of [...sample, '', 'abc', '\u0000', '\u0000\u0000', '\uffff\uffff']) expect(lookup(t)).toBe(known.get(t));
    // A list of distinct terms: each term's index.
    const list = [...new Set(sample.filter((_, i) => i % 5 === 0)), ''];
    const byIndex = new Map(list.map((t, i) => [t, i] as const));
    const listLookup = termLookup(list);
    for (const t of [...sample, '', 'abc', '\u0000\u0000']) expect(listLookup(t)).toBe(byIndex.get(t));
  });
});

describe('flat trie', () => {
  it('finds every key and prefix it was given, and nothing else, by code point or code unit', () => {
    for (const byCodeUnit of [false, true]) {
      const trie = new FlatTrie<number>();
      const keys = new Map<string, number>();
      sample.slice(0, 20_000).forEach((k, i) => {
        trie.set(k, i, byCodeUnit);
        keys.set(k, i);
      });
      const prefixes = new Set<string>();
      const split = (k: string) => (byCodeUnit ? k.split('') : [...k]);
      for (const k of keys.keys()) split(k).forEach((_, n, parts) => prefixes.add(parts.slice(0, n + 1).join('')));
      const walk = (k: string) => {
        let node = 0;
        for (const part of split(k)) if ((node = trie.child(node, byCodeUnit ? part.charCodeAt(0) : part.codePointAt(0)!)) < 0) return -1;
        return node;
      };
      for (const k of [...sample.slice(15_000, 40_000), 'zz', '\u4e00\u4e00\u4e00\u4e00\u4e00']) {
        const node = walk(k);
        expect(node >= 0).toBe(prefixes.has(k) || k === '');
        if (node >= 0) expect(trie.value(node)).toBe(keys.get(k));
      }
    }
  });
});
