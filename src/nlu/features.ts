/**
 * Features: the terms a text is matched by, each with the span it came from
 * (so a facet phrase can be masked on the terms instead of cut out of the
 * string and featurised again).
 *   - Han runs: character unigrams and bigrams;
 *   - Latin runs (English, pinyin left as it is): words (`w:`) and character
 *     trigrams (`t:`), so `shimingrenzheng` still meets `shiming renzheng`;
 *   - words from the segmenter (`j:`), lexicon entities (`e:type=value`) are
 *     added by the pipeline (see pipeline.ts) with their spans.
 */

const HAN_POINT_RE = /^\p{Script=Han}$/u;
const WORD_POINT_RE = /^[\p{L}\p{M}\p{N}]$/u;
/**
 * Each code point's class, as the Unicode regexes /\p{Script=Han}/u and /[\p{L}\p{M}\p{N}]/u read
 * it, worked out on first sight: HAN, WORD (a letter, mark or digit not Han) or OTHER.
 */
const HAN = 1;
const WORD = 2;
const OTHER = 3;
const unitClass = new Uint8Array(0x10000);
const astralClass = new Map<number, number>();
const classify = (point: number) => {
  const c = String.fromCodePoint(point);
  return HAN_POINT_RE.test(c) ? HAN : WORD_POINT_RE.test(c) ? WORD : OTHER;
};
function pointClass(point: number): number {
  if (point < 0x10000) return unitClass[point] || (unitClass[point] = classify(point));
  let known = astralClass.get(point);
  if (known === undefined) astralClass.set(point, (known = classify(point)));
  return known;
}
/** The code point at i as /u regexes read it (a lone surrogate stands for itself). */
export function pointAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}
/** /\p{Script=Han}/u of one code point. */
export const isHanPoint = (point: number): boolean => pointClass(point) === HAN;
/** How many code points `text` has if all are Han (/^\p{Script=Han}*$/u), else -1. */
export function hanLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++, n++) {
    const point = pointAt(text, i);
    if (pointClass(point) !== HAN) return -1;
    if (point > 0xffff) i++;
  }
  return n;
}

/** Terms with their spans (code-unit offsets into the text). */
export interface Terms {
  terms: string[];
  starts: number[];
  ends: number[];
}

export const emptyTerms = (): Terms => ({ terms: [], starts: [], ends: [] });

export function addTerm(out: Terms, term: string, start: number, end: number): void {
  out.terms.push(term);
  out.starts.push(start);
  out.ends.push(end);
}

/** Character and Latin terms of normalised text, with spans. Deterministic; duplicates kept (they are counts). */
export function characterTerms(normalized: string, out: Terms = emptyTerms()): Terms {
  // Runs of Han code points, and runs of letters, marks and digits that are not Han
  // (/\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+/gu), read by a lookup per code point.
  const s = normalized;
  for (let i = 0; i < s.length; ) {
    const point = pointAt(s, i);
    const kind = pointClass(point);
    let end = i + (point > 0xffff ? 2 : 1);
    if (kind === OTHER) {
      i = end;
      continue;
    }
    while (end < s.length) {
      const next = pointAt(s, end);
      if (pointClass(next) !== kind) break;
      end += next > 0xffff ? 2 : 1;
    }
    if (kind === HAN) hanTerms(s.slice(i, end), i, out);
    else latinTerms(s.slice(i, end), i, out);
    i = end;
  }
  return out;
}

/** Terms of normalised text without spans (facet phrases, tests). */
export const features = (normalized: string): string[] => characterTerms(normalized).terms;

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

/** The terms whose span lies outside every masked position (mask[i] for code unit i). */
export function unmasked(t: Terms, mask: Uint8Array): string[] {
  const out: string[] = [];
  for (let k = 0; k < t.terms.length; k++) {
    let hit = false;
    for (let i = t.starts[k]!; i < t.ends[k]! && !hit; i++) if (mask[i]) hit = true;
    if (!hit) out.push(t.terms[k]!);
  }
  return out;
}

/**
 * `ids.get` for terms (for a list of distinct terms: the term's index): those of one or two code
 * units (Han characters and bigrams, most of a message's terms) are found by their code units in
 * typed arrays, without hashing a new string into a large Map; longer terms in a Map of their own.
 */
export function termLookup(ids: ReadonlyMap<string, number> | readonly string[]): (term: string) => number | undefined {
  const single = new Int32Array(0x10000).fill(-1);
  const pairs: [string, number][] = [];
  const longer = new Map<string, number>();
  const add = (id: number, t: string) => {
    if (t.length === 1) single[t.charCodeAt(0)] = id;
    else if (t.length === 2) pairs.push([t, id]);
    else longer.set(t, id);
  };
  // A list gives each (distinct) term its index.
  if (Array.isArray(ids)) for (let id = 0; id < ids.length; id++) add(id, ids[id]!);
  else (ids as ReadonlyMap<string, number>).forEach(add);
  let bits = 4;
  while (1 << bits < 2 * pairs.length) bits++;
  const mask = (1 << bits) - 1;
  const pairKey = new Uint32Array(1 << bits);
  const pairId = new Int32Array(1 << bits).fill(-1);
  const slot = (key: number) => Math.imul(key, 0x9e3779b1) >>> (32 - bits);
  for (let p = 0; p < pairs.length; p++) {
    const [t, id] = pairs[p]!;
    const key = ((t.charCodeAt(0) << 16) | t.charCodeAt(1)) >>> 0;
    let at = slot(key);
    while (pairId[at] !== -1) at = (at + 1) & mask;
    pairKey[at] = key;
    pairId[at] = id;
  }
  return (term) => {
    if (term.length === 1) {
      const id = single[term.charCodeAt(0)]!;
      return id >= 0 ? id : undefined;
    }
    if (term.length === 2) {
      const key = ((term.charCodeAt(0) << 16) | term.charCodeAt(1)) >>> 0;
      for (let at = slot(key); ; at = (at + 1) & mask) {
        const id = pairId[at]!;
        if (id === -1) return undefined;
        if (pairKey[at] === key) return id;
      }
    }
    return longer.get(term);
  };
}

/**
 * Numbers terms in order of first sight: `id(term)` is the term's number, a new one for a term not
 * seen before (0, 1, 2...). Terms of one or two code units are kept in typed arrays by their code
 * units; longer ones in a Map.
 */
export function termNumbering(): { id(term: string): number; readonly terms: readonly string[] } {
  const terms: string[] = [];
  const single = new Int32Array(0x10000).fill(-1);
  let bits = 12;
  let pairKey = new Uint32Array(1 << bits);
  let pairId = new Int32Array(1 << bits).fill(-1);
  let pairs = 0;
  const longer = new Map<string, number>();
  const slot = (key: number) => Math.imul(key, 0x9e3779b1) >>> (32 - bits);
  const place = (key: number, id: number) => {
    let at = slot(key);
    while (pairId[at] !== -1) at = (at + 1) & ((1 << bits) - 1);
    pairKey[at] = key;
    pairId[at] = id;
  };
  const add = (term: string) => {
    terms.push(term);
    return terms.length - 1;
  };
  return {
    terms,
    id(term) {
      if (term.length === 1) {
        const c = term.charCodeAt(0);
        let id = single[c]!;
        if (id < 0) single[c] = id = add(term);
        return id;
      }
      if (term.length === 2) {
        const key = ((term.charCodeAt(0) << 16) | term.charCodeAt(1)) >>> 0;
        const mask = (1 << bits) - 1;
        let at = slot(key);
        for (; pairId[at] !== -1; at = (at + 1) & mask) if (pairKey[at] === key) return pairId[at]!;
        const id = add(term);
        pairKey[at] = key;
        pairId[at] = id;
        // At most half full: grow and place every pair again.
        if (++pairs * 2 > 1 << bits) {
          const oldKey = pairKey;
          const oldId = pairId;
          bits++;
          pairKey = new Uint32Array(1 << bits);
          pairId = new Int32Array(1 << bits).fill(-1);
          for (let i = 0; i < oldId.length; i++) if (oldId[i] !== -1) place(oldKey[i]!, oldId[i]!);
        }
        return id;
      }
      let id = longer.get(term);
      if (id === undefined) longer.set(term, (id = add(term)));
      return id;
    },
  };
}

/**
 * A trie in a few flat arrays (no object per node, which a build would make by the ten thousand):
 * node 0 is the root, whose children are in a Map (it may have thousands); every other node's
 * children are a sibling list. Keys are walked by code point, or by code unit.
 */
export class FlatTrie<V> {
  private codes = new Int32Array(256);
  private firstChild = new Int32Array(256).fill(-1);
  private nextSibling = new Int32Array(256).fill(-1);
  private readonly values: (V | undefined)[] = [undefined];
  private readonly rootChildren = new Map<number, number>();
  private nodes = 1;

  /** The child of `node` by `code`, or -1. */
  child(node: number, code: number): number {
    if (node === 0) return this.rootChildren.get(code) ?? -1;
    for (let c = this.firstChild[node]!; c !== -1; c = this.nextSibling[c]!) if (this.codes[c] === code) return c;
    return -1;
  }

  value(node: number): V | undefined {
    return this.values[node];
  }

  /** Sets the value of `key` (walked by code point, or by code unit), adding its nodes. */
  set(key: string, value: V, byCodeUnit = false): void {
    let node = 0;
    for (let i = 0; i < key.length; i++) {
      const code = byCodeUnit ? key.charCodeAt(i) : key.codePointAt(i)!;
      if (!byCodeUnit && code > 0xffff) i++;
      const next = this.child(node, code);
      node = next >= 0 ? next : this.add(node, code);
    }
    this.values[node] = value;
  }

  private add(parent: number, code: number): number {
    if (this.nodes === this.codes.length) {
      const grow = (a: Int32Array, fill: number) => {
        const b = new Int32Array(2 * a.length).fill(fill);
        b.set(a);
        return b;
      };
      this.codes = grow(this.codes, 0);
      this.firstChild = grow(this.firstChild, -1);
      this.nextSibling = grow(this.nextSibling, -1);
    }
    const node = this.nodes++;
    this.codes[node] = code;
    this.values.push(undefined);
    if (parent === 0) this.rootChildren.set(code, node);
    else {
      this.nextSibling[node] = this.firstChild[parent]!;
      this.firstChild[parent] = node;
    }
    return node;
  }
}

/** The feature a lexicon value adds to a message that names it ("e:status=deceased"). */
export const entityFeature = (type: string, value: string): string => `e:${type}=${value}`;
