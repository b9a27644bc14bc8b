/**
 * Text normalisation: the first step of understanding. Pure and deterministic.
 *
 * NFKC -> Traditional to Simplified (opencc-js) -> lower case -> punctuation,
 * emoji and zero-width characters to spaces -> filler words dropped. Synonyms
 * and spelling variants are the lexicon's (intents/_lexicon.yaml), not here.
 */
import * as OpenCC from 'opencc-js';

/**
 * Traditional (Taiwan standard) to Mainland Simplified, character by character.
 * Not 'twp': its phrase table rewrites Simplified words too (程序 -> 进程).
 */
const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });

/**
 * For every entry of that conversion's dictionaries that changes text, one code point of its
 * source that its result lacks (else its first). An entry can only match text that holds all of
 * its source's code points, so text with none of these is left exactly as it is: most messages,
 * written in Simplified, skip the conversion. Null (convert everything) if the preset is not laid
 * out as expected.
 */
const converting = ((): { bmp: Uint8Array; astral: Set<number> } | null => {
  type Dict = string | readonly (readonly string[])[];
  const config = (OpenCC.Locale.configs as Record<string, { normalizationChain?: readonly (readonly Dict[])[]; conversionChain?: readonly (readonly Dict[])[] }>)['tw2s'];
  if (!config?.conversionChain) return null;
  const bmp = new Uint8Array(0x10000);
  const astral = new Set<number>();
  const add = (from: string, to: string) => {
    if (from === to) return;
    let pick = from.codePointAt(0)!;
    for (const c of from) {
      if (!to.includes(c)) {
        pick = c.codePointAt(0)!;
        break;
      }
    }
    if (pick < 0x10000) bmp[pick] = 1;
    else astral.add(pick);
  };
  for (const dict of [...(config.normalizationChain ?? []), ...config.conversionChain].flat()) {
    // The library's own reading of an entry: "from to" pairs separated by '|', or [from, to] pairs.
    if (typeof dict === 'string') {
      for (const line of dict.split('|')) {
        const [from, to] = line.split(' ');
        if (from && to !== undefined) add(from, to);
      }
    } else for (const [from, to] of dict) if (from && to !== undefined) add(from, to);
  }
  return { bmp, astral };
})();

/** False when no entry of the Traditional-to-Simplified conversion can change `text`. */
function mayConvert(text: string): boolean {
  if (!converting) return true;
  const { bmp, astral } = converting;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) {
        if (astral.has(cp)) return true;
        i++;
        continue;
      }
    }
    if (bmp[c]) return true;
  }
  return false;
}
let toTraditionalConverter: ((s: string) => string) | undefined;
/** Replies are made of a few hundred curated strings: each is converted once. */
const traditionalMemo = new Map<string, string>();
const MEMO_MAX = 5000;

/** Simplified to Traditional, built on first use: most users never need it. */
export function toTraditional(text: string): string {
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

const HAN_SPACE_RE = /(\p{Script=Han})\s+(?=\p{Script=Han})/gu;
const HAN_RE = /\p{Script=Han}/u;
const SPACE_RE = /\s/;
const WORD_POINT_RE = /^[\p{L}\p{M}\p{N}]$/u;
/** Whether each code point below U+10000 is a letter, mark or digit: 0 not known yet, 1 yes, 2 no. */
const wordUnits = new Uint8Array(0x10000);
const wordPoints = new Map<number, boolean>();
function isWordPoint(point: number): boolean {
  if (point < 0x10000) {
    let known = wordUnits[point]!;
    if (known === 0) wordUnits[point] = known = WORD_POINT_RE.test(String.fromCharCode(point)) ? 1 : 2;
    return known === 1;
  }
  let known = wordPoints.get(point);
  if (known === undefined) wordPoints.set(point, (known = WORD_POINT_RE.test(String.fromCodePoint(point))));
  return known;
}
/** The code point at i, as /u reads it (a lone surrogate is a code point of its own), and its length. */
function pointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}
/**
 * Anything that is not a letter, mark or digit (punctuation, symbols, emoji, control and zero-width
 * characters) becomes a space, a run of them one space: s.replace(/[^\p{L}\p{M}\p{N}]+/gu, ' '), by a
 * lookup per code point instead of a Unicode-class regex.
 */
function spaceNonWords(s: string): string {
  let out = '';
  let kept = 0;
  for (let i = 0; i < s.length; ) {
    let point = pointAt(s, i);
    if (isWordPoint(point)) {
      i += point > 0xffff ? 2 : 1;
      continue;
    }
    // A run of code points that are not letters, marks or digits: one space.
    let end = i;
    do end += point > 0xffff ? 2 : 1;
    while (end < s.length && !isWordPoint((point = pointAt(s, end))));
    out += s.slice(kept, i) + ' ';
    kept = i = end;
  }
  return kept === 0 ? s : out + s.slice(kept);
}
export const LEADING_NA_RE = /^\s*那(?:么|如果)?(?=[\p{Script=Han}])(?![个些里边天时样])/u;

/** True when the text is written in Traditional characters (some character changes under t2s). */
export const isTraditional = (text: string): boolean => analyse(text).traditional;

/** Normalise text for matching. Returns '' for text with nothing to match. */
export function normalize(text: string): string {
  return analyse(text).normalized;
}

export interface Analysis {
  /** NFKC, Simplified, lower case, punctuation to spaces: nothing else removed (cues are read here). */
  clean: string;
  /** `clean` without filler words and a leading 那: the text that is matched. */
  normalized: string;
  /** Written in Traditional characters. */
  traditional: boolean;
}

/** normalize() and isTraditional() in one pass (one NFKC, one OpenCC conversion). */
export function analyse(text: string): Analysis {
  const nfkc = text.normalize('NFKC');
  const simplified = mayConvert(nfkc) ? toSimplified(nfkc) : nfkc;
  const spaced = spaceNonWords(simplified.toLowerCase());
  // Without whitespace, collapsing and trimming it changes nothing.
  const clean = SPACE_RE.test(spaced) ? spaced.replace(/\s+/g, ' ').trim() : spaced;
  return { clean, normalized: finish(clean), traditional: simplified !== nfkc && HAN_RE.test(nfkc) };
}

function finish(clean: string): string {
  let s = clean;
  const withoutFillers = s.replace(FILLER_RE, ' ');
  // Keep the original when only filler was said ("啊?"), so nothing is lost.
  if (withoutFillers.trim() !== '') s = withoutFillers;
  // A leading 那/那么 only links to the previous turn ("那注销账号呢"); 那个/那些 mean "that".
  s = s.replace(LEADING_NA_RE, '');
  // Without whitespace there is nothing to join, collapse or trim.
  if (!SPACE_RE.test(s)) return s;
  return s.replace(HAN_SPACE_RE, '$1').replace(/\s+/g, ' ').trim();
}
