/**
 * The lexicon (intents/_lexicon.yaml) compiled for matching: synonyms are
 * rewritten to their canonical word, and entity forms found among a message's
 * tokens become canonical features (`e:action=remove`), so a verb learned in
 * one phrasing carries over to its other forms. Like Rasa's
 * EntitySynonymMapper and lookup-table features.
 */
import type { Lexicon, LexiconEntry } from '../content/load.js';
import type { Token } from './segment.js';
import { FlatTrie } from './features.js';

export interface EntityHit {
  type: string;
  value: string;
  /** Span in the text the tokens came from. */
  start: number;
  end: number;
  /** Named only inside a longer form of another type (认证 in 实名认证): it never overrides a value named itself. */
  nested?: boolean;
}

export interface CompiledLexicon {
  /** Every Han form (the segmenter's user words and the homophone targets). */
  readonly hanForms: readonly string[];
  /** Rewrites synonyms to their canonical word. */
  canonical(text: string): string;
  /** Entity values named by the tokens, longest form first, left to right. */
  tag(tokens: readonly Token[], text: string): EntityHit[];
  /** The value's entry ("platform", "qq"). */
  entry(type: string, value: string): LexiconEntry | undefined;
  /** A surface form that stands for the value in a synthesised text (its first form). */
  surface(type: string, value: string): string | undefined;
  /** Entity types in file order. */
  readonly types: readonly string[];
}

const HAN_RE = /\p{Script=Han}/u;
const SPACE_RE = /\s/;
/** Whether each code unit is whitespace (/\s/): 0 not known yet, 1 yes, 2 no. */
const spaceTable = new Uint8Array(0x10000);
const isSpace = (c: number): boolean => {
  let known = spaceTable[c]!;
  if (known === 0) spaceTable[c] = known = SPACE_RE.test(String.fromCharCode(c)) ? 1 : 2;
  return known === 1;
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An age: a number (digits or Chinese numerals) and 岁 / 周岁 / "years old". */
const AGE_RE = /(?<![\d零一二两三四五六七八九十百])(\d{1,3}|[零一二两三四五六七八九十百]{1,5})\s*(?:周岁|岁|years?\s*old|yrs?\s*old|yo\b)/gu;
const HAN_DIGIT: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** The number an age is written with ("16", "十六", "二十七", "一百零二"), or NaN. */
export function ageNumber(written: string): number {
  if (/^\d+$/.test(written)) return Number(written);
  let total = 0;
  let digit = -1;
  for (const ch of written) {
    // 零 only holds a place (一百零二).
    if (ch === '零') continue;
    if (ch === '百' || ch === '十') {
      total += (digit < 0 ? 1 : digit) * (ch === '百' ? 100 : 10);
      digit = -1;
    } else if (ch in HAN_DIGIT) {
      if (digit >= 0) return NaN;
      digit = HAN_DIGIT[ch]!;
    } else return NaN;
  }
  return total + Math.max(digit, 0);
}

export function compileLexicon(lexicon: Lexicon): CompiledLexicon {
  const byForm = new Map<string, LexiconEntry>();
  // Forms as token sequences (a form of several words or tokens: "wechat pay", "实名 认证").
  const maxTokens = 4;
  for (const e of lexicon.entities) for (const f of e.forms) if (!byForm.has(f)) byForm.set(f.replace(/\s+/g, ' '), e);
  const entries = new Map(lexicon.entities.map((e) => [`${e.type}=${e.value}`, e]));
  const byAge = lexicon.entities.filter((e) => e.ages);
  // A form that contains another type's form names that value too: 微信支付 is pay and WeChat,
  // "wechat pay" likewise. Worked out once here, from the forms themselves.
  // (A Han form is contained as it is; another as whole words: " f " in " form ".)
  const formList = [...byForm].map(([form, e]) => ({ form, e, han: HAN_RE.test(form), padded: ` ${form} ` }));
  const nested = new Map<string, LexiconEntry[]>();
  for (let a = 0; a < formList.length; a++) {
    const { form, e, padded } = formList[a]!;
    const inner = new Map<string, LexiconEntry>();
    for (let b = 0; b < formList.length; b++) {
      const other = formList[b]!;
      // A longer form is never inside this one.
      if (other.form.length > form.length || other.e.type === e.type || other.form === form) continue;
      if (other.han ? form.includes(other.form) : padded.includes(other.padded)) inner.set(other.e.type, other.e);
    }
    if (inner.size) nested.set(form, [...inner.values()]);
  }

  const spellings = Object.entries(lexicon.synonyms).flatMap(([to, from]) => from.map((f) => [f.toLowerCase(), to] as const));
  spellings.sort((a, b) => b[0].length - a[0].length);
  const rewrite = new Map(spellings);
  const synonymRe = spellings.length
    ? new RegExp(spellings.map(([f]) => (HAN_RE.test(f) ? escape(f) : `\\b${escape(f)}\\b`)).join('|'), 'gu')
    : null;

  // Every form without its spaces, by code unit. A run of tokens can only be a form when its text
  // without whitespace is one of these (a form as it is, or a form written without its spaces), so
  // a walk down this trie from each token rules out most runs without making their strings.
  const forms = new FlatTrie<true>();
  for (const form of byForm.keys()) forms.set(form.replace(/ /g, ''), true, true);
  // formEnds[n]: the run of n tokens from the current one may be a form.
  const formEnds: boolean[] = [];

  /** The entity of the run of tokens [i, i + n), if it is a form. */
  const formAt = (tokens: readonly Token[], text: string, i: number, n: number) => {
    const start = tokens[i]!.start;
    const end = tokens[i + n - 1]!.end;
    const form = text.slice(start, end).replace(/\s+/g, ' ');
    const e = byForm.get(form) ?? (n > 1 ? byForm.get(form.replace(/ /g, '')) : undefined);
    return e ? { e, start, end, form } : null;
  };

  /** Tokens in text order, as the segmenter gives them: each after the one before, inside the text. */
  const inOrder = (tokens: readonly Token[], text: string) => {
    let at = 0;
    for (const t of tokens) {
      if (t.start < at || t.end < t.start || t.end > text.length) return false;
      at = t.end;
    }
    return true;
  };

  /** How many tokens from i may be a form (0 to maxTokens), filling formEnds. Tokens in text order only. */
  const walk = (tokens: readonly Token[], text: string, i: number): number => {
    const limit = Math.min(maxTokens, tokens.length - i);
    let node = 0;
    let pos = tokens[i]!.start;
    let longest = 0;
    for (let n = 1; n <= limit; n++) {
      // The run's text grows by the gap before this token and the token itself.
      for (const end = tokens[i + n - 1]!.end; pos < end; pos++) {
        const c = text.charCodeAt(pos);
        if (isSpace(c)) continue;
        if ((node = forms.child(node, c)) < 0) return longest;
      }
      formEnds[n] = forms.value(node) === true;
      longest = n;
    }
    return longest;
  };

  return {
    hanForms: [...byForm.keys()].filter((f) => HAN_RE.test(f)),
    types: [...new Set(lexicon.entities.map((e) => e.type))],
    canonical: (text) => (synonymRe ? text.replace(synonymRe, (m) => rewrite.get(m) ?? m) : text),
    entry: (type, value) => entries.get(`${type}=${value}`),
    surface: (type, value) => entries.get(`${type}=${value}`)?.forms.find((f) => HAN_RE.test(f)) ?? entries.get(`${type}=${value}`)?.forms[0],
    tag(tokens, text) {
      const hits: EntityHit[] = [];
      // Tokens out of text order (not the segmenter's): every run is tried.
      const ordered = inOrder(tokens, text);
      for (let i = 0; i < tokens.length; ) {
        let matched = 0;
        const longest = ordered ? walk(tokens, text, i) : -1;
        // Longest run of tokens that is a form: "wechat pay" before "wechat".
        for (let n = longest < 0 ? Math.min(maxTokens, tokens.length - i) : longest; n >= 1 && !matched; n--) {
          if (longest >= 0 && !formEnds[n]) continue;
          const found = formAt(tokens, text, i, n);
          if (found) {
            const { e, start, end, form } = found;
            hits.push({ type: e.type, value: e.value, start, end });
            for (const inner of nested.get(byForm.has(form) ? form : form.replace(/ /g, '')) ?? []) {
              hits.push({ type: inner.type, value: inner.value, start, end, nested: true });
            }
            matched = n;
          }
        }
        i += matched || 1;
      }
      // Ages are read from the text: "26岁" is no "6岁", whatever the tokens.
      if (byAge.length && /岁|old|yo/.test(text)) {
        let added = false;
        for (const m of text.matchAll(AGE_RE)) {
          const n = ageNumber(m[1]!);
          const start = m.index;
          const end = start + m[0].length;
          for (const e of byAge) {
            if (!(n >= e.ages![0] && n <= e.ages![1])) continue;
            if (hits.some((h) => h.type === e.type && h.value === e.value && h.start < end && start < h.end)) continue;
            hits.push({ type: e.type, value: e.value, start, end });
            added = true;
          }
        }
        if (added) hits.sort((a, b) => a.start - b.start);
      }
      return hits;
    },
  };
}
