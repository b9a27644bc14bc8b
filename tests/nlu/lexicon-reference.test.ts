import { describe, it, expect } from 'vitest';
import { compileLexicon, type CompiledLexicon, type EntityHit } from '../../src/nlu/lexicon.js';
import type { Lexicon, LexiconEntry } from '../../src/content/load.js';
import { createSegmenter, type Token } from '../../src/nlu/segment.js';
import { analyse } from '../../src/nlu/normalize.js';
import { realKnowledge } from '../helpers.js';

// tag() walks a trie of the forms from each token instead of trying every run of up to four tokens:
// it must find exactly what the straightforward scan below (the earlier implementation) finds.
describe('lexicon tagging with a trie', () => {
  const kb = realKnowledge();
  // Forms only: ages ("16岁") are read from the text, not from tokens, and tested in lexicon.test.ts.
  const formsOnly: Lexicon = { ...kb.lexicon, entities: kb.lexicon.entities.map(({ ages: _ages, ...e }) => e) };
  const fast = compileLexicon(formsOnly);
  const reference = referenceLexicon(formsOnly);
  const segmenter = createSegmenter(fast.hanForms);
  const lines = [...kb.topics.flatMap((t) => [...t.utterances, ...t.refusals]), ...kb.smalltalk.flatMap((s) => s.utterances), ...kb.offTopic].map(
    (t) => fast.canonical(analyse(t).normalized),
  );
  /** Tokens of every kind: the segmenter's, single characters, words split at spaces, and some out of order. */
  const tokenings = (text: string): Token[][] => {
    const cut = segmenter.cut(text);
    const chars = [...text].reduce<Token[]>((out, c) => {
      const start = out.length ? out[out.length - 1]!.end : 0;
      out.push({ text: c, start, end: start + c.length });
      return out;
    }, []).filter((t) => t.text.trim());
    const words = [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index!, end: m.index! + m[0].length }));
    return [cut, chars, words, [...cut].reverse(), cut.map((t) => ({ ...t, end: t.end + 1 }))];
  };

  it('finds what the straightforward scan finds, on every training line and its forms spaced out', () => {
    const texts = [...lines, ...lines.map((l) => l.replace(/(.)/gu, '$1 ').trim()), ...kb.lexicon.entities.flatMap((e) => e.forms.map((f) => `x ${f} y ${f.replace(/ /g, '')}`))];
    let runs = 0;
    for (const text of texts) {
      for (const tokens of tokenings(text)) {
        runs++;
        expect(fast.tag(tokens, text)).toEqual(reference.tag(tokens, text));
      }
    }
    expect(runs).toBeGreaterThan(20_000);
  });

  it('also for forms with whitespace of every kind between their words', () => {
    const spaced = kb.lexicon.entities.flatMap((e) => e.forms.filter((f) => f.includes(' ')));
    for (const f of spaced) {
      for (const gap of [' ', '  ', '\t', '\u3000', '\u00a0 ']) {
        const text = `请问 ${f.replace(/ /g, gap)} 怎么办`;
        for (const tokens of tokenings(text)) expect(fast.tag(tokens, text)).toEqual(reference.tag(tokens, text));
      }
    }
  });
});

// --- the earlier implementation, kept as the reference ---
const HAN_RE = /\p{Script=Han}/u;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function referenceLexicon(lexicon: Lexicon): CompiledLexicon {
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
