import { describe, it, expect } from 'vitest';
import { characterTerms, hanLength } from '../../src/nlu/features.js';
import { createPinyinConverter } from '../../src/nlu/pinyin.js';
import { realEngine, realKnowledge } from '../helpers.js';

// Runs of Han and of other letters are found by a lookup per code point instead of Unicode-class
// regexes: the terms, their spans, and the Han tests must be what the regexes give.
describe('character terms by code point classes', () => {
  const kb = realKnowledge();
  const lines = [...kb.topics.flatMap((t) => [...t.utterances, ...t.refusals]), ...kb.smalltalk.flatMap((s) => s.utterances), ...kb.offTopic];
  const prepared = lines.map((l) => realEngine().nlu.prepare(l));
  const odd = ['', ' ', 'a', '1234', 'ab12 cd', 'shimingrenzheng', '实名 认证', '⺀⺁实', '〇々〆', '\ud800', 'a\udc00b', '𠀀𠀁 x', 'é́ ü', 'Ⅻ ② ³'];

  it('gives the regex reading on every code point alone and between others', () => {
    for (let cp = 0; cp < 0x30000; cp += cp < 0x3400 ? 1 : 11) {
      const c = String.fromCodePoint(cp);
      for (const text of [c, `实${c}名`, `a${c}b`, `${c}${c} ${c}`]) {
        expect(characterTerms(text)).toEqual(referenceCharacterTerms(text));
        expect(hanLength(text)).toBe(/^\p{Script=Han}*$/u.test(text) ? [...text].length : -1);
      }
    }
  });

  it('gives the regex reading on the prepared training lines and odd text', () => {
    for (const text of [...prepared, ...lines, ...odd]) {
      expect(characterTerms(text)).toEqual(referenceCharacterTerms(text));
      expect(hanLength(text) >= 2).toBe(/^\p{Script=Han}{2,}$/u.test(text));
      expect(hanLength(text) === 1).toBe(/^\p{Script=Han}$/u.test(text));
    }
  });

  it('repairs the same Han runs as a replace over /\\p{Script=Han}+/gu would', () => {
    const p = createPinyinConverter({ domainWords: ['实名', '注销', '微信'], knownWords: ['怎么'] });
    for (const text of ['实明', 'a实明b注消c', '实明\ud800注消', '𠀀实明𠀀', '⺀实明', ' 实明 ', '实明实明']) {
      const expected = text.replace(/\p{Script=Han}+/gu, (run) => p.rewrite(run));
      expect(p.rewrite(text)).toBe(expected);
    }
  });
});

// --- the earlier implementation, kept as the reference ---
const SEGMENT_RE = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+/gu;
const HAN_START_RE = /^\p{Script=Han}/u;

/** Terms with their spans (code-unit offsets into the text). */
interface Terms {
  terms: string[];
  starts: number[];
  ends: number[];
}

const emptyTerms = (): Terms => ({ terms: [], starts: [], ends: [] });

function addTerm(out: Terms, term: string, start: number, end: number): void {
  out.terms.push(term);
  out.starts.push(start);
  out.ends.push(end);
}

/** Character and Latin terms of normalised text, with spans. Deterministic; duplicates kept (they are counts). */
function referenceCharacterTerms(normalized: string, out: Terms = emptyTerms()): Terms {
  for (const match of normalized.matchAll(SEGMENT_RE)) {
    const run = match[0];
    const at = match.index!;
    if (HAN_START_RE.test(run)) hanTerms(run, at, out);
    else latinTerms(run, at, out);
  }
  return out;
}

/** Terms of normalised text without spans (facet phrases, tests). */


function hanTerms(run: string, at: number, out: Terms): void {
  const chars = Array.from(run);
  let pos = at;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    addTerm(out, c, pos, pos + c.length);
    if (i + 1 < chars.length) addTerm(out, c + chars[i + 1]!, pos, pos + c.length + chars[i + 1]!.length);
    pos += c.length;
  }
}

function latinTerms(word: string, at: number, out: Terms): void {
  const end = at + word.length;
  addTerm(out, 'w:' + word, at, end);
  if (word.length < 4 || /^\d+$/.test(word)) return;
  const padded = `#${word}#`;
  for (let i = 0; i + 3 <= padded.length; i++) addTerm(out, 't:' + padded.slice(i, i + 3), at, end);
}

