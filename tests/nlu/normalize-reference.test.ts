import { describe, it, expect } from 'vitest';
import * as OpenCC from 'opencc-js';
import { analyse, toTraditional } from '../../src/nlu/normalize.js';
import { realKnowledge } from '../helpers.js';

// analyse() replaces Unicode-class regexes by a lookup per code point and skips whitespace passes
// on text without whitespace: every field must be what the earlier implementation below gives.
describe('analyse against the earlier implementation', () => {
  it('agrees on every code point alone and between words', () => {
    for (let cp = 0; cp < 0x30000; cp += cp < 0x3000 ? 1 : 13) {
      const c = String.fromCodePoint(cp);
      for (const text of [c, `实名${c}认证`, `a${c} b`, ` ${c}${c} `]) expect(analyse(text)).toEqual(referenceAnalyse(text));
    }
    for (const lone of ['\ud800', '\udc00', 'a\ud800b', '实\udfff名', '\ud83d\ude00x']) expect(analyse(lone)).toEqual(referenceAnalyse(lone));
  });

  it('agrees on every training line, in Simplified and Traditional, and on mixed noise', () => {
    const kb = realKnowledge();
    const lines = [...kb.topics.flatMap((t) => [...t.utterances, ...t.refusals]), ...kb.smalltalk.flatMap((s) => s.utterances), ...kb.offTopic, ...kb.facets.flatMap((f) => f.utterances)];
    const noise = ['', ' ', '啊?', '那么 注销呢', '  请问  微信 \t 实名!! ', 'ＷｅＣｈａｔ　Ｐａｙ', '😀实名😀', 'İstanbul ß ǅ', '\u200b\u200d实\ufeff名', '那个号', '1 2 3 ４５６'];
    for (const text of [...lines, ...lines.map(toTraditional), ...noise, ...lines.map((l, i) => noise[i % noise.length] + l + noise[(i + 3) % noise.length])]) {
      expect(analyse(text)).toEqual(referenceAnalyse(text));
    }
  });
});

// --- the earlier implementation, kept as the reference ---
const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });
let toTraditionalConverter: ((s: string) => string) | undefined;
/** Replies are made of a few hundred curated strings: each is converted once. */
const traditionalMemo = new Map<string, string>();
const MEMO_MAX = 5000;

/** Simplified to Traditional, built on first use: most users never need it. */
function referenceToTraditional(text: string): string {
  const known = traditionalMemo.get(text);
  if (known !== undefined) return known;
  const convert = (toTraditionalConverter ??= OpenCC.Converter({ from: 'cn', to: 'tw' }));
  const converted = convert(text);
  // Bounded: arbitrary text (a user's own words) must not grow it forever.
  if (traditionalMemo.size >= MEMO_MAX) traditionalMemo.clear();
  traditionalMemo.set(text, converted);
  return converted;
}

/**
 * Filler phrases that carry no meaning for matching, longest first.
 * Language-level, not topic-level: topic words belong in intents/.
 */
const FILLERS = [
  '你好我想问一下',
  '我想咨询一下',
  '想咨询一下',
  '我想问一下',
  '麻烦问一下',
  '请问一下',
  '想问一下',
  '打扰一下',
  '在线等',
  '请问',
  '求助',
  '急急急',
  '啊',
  '呢',
  '呀',
  '哦',
  '嘛',
  '啦',
  '哎',
  '唉',
  '哈',
];
const FILLER_RE = new RegExp(FILLERS.join('|'), 'g');

// Anything that is not a letter, mark or digit: punctuation, symbols, emoji,
// control and zero-width characters (category C*), all become a space.
const NON_WORD_RE = /[^\p{L}\p{M}\p{N}]+/gu;
const HAN_SPACE_RE = /(\p{Script=Han})\s+(?=\p{Script=Han})/gu;
const HAN_RE = /\p{Script=Han}/u;
const LEADING_NA_RE = /^\s*那(?:么|如果)?(?=[\p{Script=Han}])(?![个些里边天时样])/u;

/** True when the text is written in Traditional characters (some character changes under t2s). */
const referenceIsTraditional = (text: string): boolean => referenceAnalyse(text).traditional;

/** Normalise text for matching. Returns '' for text with nothing to match. */
function referenceNormalize(text: string): string {
  return referenceAnalyse(text).normalized;
}

interface Analysis {
  /** NFKC, Simplified, lower case, punctuation to spaces: nothing else removed (cues are read here). */
  clean: string;
  /** `clean` without filler words and a leading 那: the text that is matched. */
  normalized: string;
  /** Written in Traditional characters. */
  traditional: boolean;
}

/** normalize() and isTraditional() in one pass (one NFKC, one OpenCC conversion). */
function referenceAnalyse(text: string): Analysis {
  const nfkc = text.normalize('NFKC');
  const simplified = toSimplified(nfkc);
  const clean = simplified.toLowerCase().replace(NON_WORD_RE, ' ').replace(/\s+/g, ' ').trim();
  return { clean, normalized: finish(clean), traditional: simplified !== nfkc && HAN_RE.test(nfkc) };
}

function finish(clean: string): string {
  let s = clean;
  const withoutFillers = s.replace(FILLER_RE, ' ');
  // Keep the original when only filler was said ("啊?"), so nothing is lost.
  if (withoutFillers.trim() !== '') s = withoutFillers;
  // A leading 那/那么 only links to the previous turn ("那注销账号呢"); 那个/那些 mean "that".
  s = s.replace(LEADING_NA_RE, '');
  return s.replace(HAN_SPACE_RE, '$1').replace(/\s+/g, ' ').trim();
}
