/**
 * The lexicon (intents/_lexicon.yaml) compiled for matching: synonyms are
 * rewritten to their canonical word, and entity forms found among a message's
 * tokens become canonical features (`e:action=remove`), so a verb learned in
 * one phrasing carries over to its other forms. Like Rasa's
 * EntitySynonymMapper and lookup-table features.
 */
import type { Lexicon, LexiconEntry } from '../content/load.js';
import type { Token } from './segment.js';

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
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileLexicon(lexicon: Lexicon): CompiledLexicon {
  const byForm = new Map<string, LexiconEntry>();
  // Forms as token sequences (a form of several words or tokens: "wechat pay", "实名 认证").
  const maxTokens = 4;
  for (const e of lexicon.entities) for (const f of e.forms) if (!byForm.has(f)) byForm.set(f.replace(/\s+/g, ' '), e);
  const entries = new Map(lexicon.entities.map((e) => [`${e.type}=${e.value}`, e]));
  // A form that contains another type's form names that value too: 微信支付 is pay and WeChat,
  // "wechat pay" likewise. Worked out once here, from the forms themselves.
  const contains = (outer: string, inner: string) =>
    HAN_RE.test(inner) ? outer.includes(inner) : ` ${outer} `.includes(` ${inner} `);
  const nested = new Map<string, LexiconEntry[]>();
  for (const [form, e] of byForm) {
    const inner = new Map<string, LexiconEntry>();
    for (const [f, other] of byForm) if (other.type !== e.type && f !== form && contains(form, f)) inner.set(other.type, other);
    if (inner.size) nested.set(form, [...inner.values()]);
  }

  const spellings = Object.entries(lexicon.synonyms).flatMap(([to, from]) => from.map((f) => [f.toLowerCase(), to] as const));
  spellings.sort((a, b) => b[0].length - a[0].length);
  const rewrite = new Map(spellings);
  const synonymRe = spellings.length
    ? new RegExp(spellings.map(([f]) => (HAN_RE.test(f) ? escape(f) : `\\b${escape(f)}\\b`)).join('|'), 'gu')
    : null;

  return {
    hanForms: [...byForm.keys()].filter((f) => HAN_RE.test(f)),
    types: [...new Set(lexicon.entities.map((e) => e.type))],
    canonical: (text) => (synonymRe ? text.replace(synonymRe, (m) => rewrite.get(m) ?? m) : text),
    entry: (type, value) => entries.get(`${type}=${value}`),
    surface: (type, value) => entries.get(`${type}=${value}`)?.forms.find((f) => HAN_RE.test(f)) ?? entries.get(`${type}=${value}`)?.forms[0],
    tag(tokens, text) {
      const hits: EntityHit[] = [];
      for (let i = 0; i < tokens.length; ) {
        let matched = 0;
        // Longest run of tokens that is a form: "wechat pay" before "wechat".
        for (let n = Math.min(maxTokens, tokens.length - i); n >= 1 && !matched; n--) {
          const start = tokens[i]!.start;
          const end = tokens[i + n - 1]!.end;
          const form = text.slice(start, end).replace(/\s+/g, ' ');
          const e = byForm.get(form) ?? (n > 1 ? byForm.get(form.replace(/ /g, '')) : undefined);
          if (e) {
            hits.push({ type: e.type, value: e.value, start, end });
            for (const inner of nested.get(byForm.has(form) ? form : form.replace(/ /g, '')) ?? []) {
              hits.push({ type: inner.type, value: inner.value, start, end, nested: true });
            }
            matched = n;
          }
        }
        i += matched || 1;
      }
      return hits;
    },
  };
}
