import { describe, it, expect } from 'vitest';
import { blockText, createSectionIndex, type SectionDoc, type SectionHit, type SectionIndex } from '../../src/nlu/sections.js';
import type { Facet } from '../../src/engine/types.js';
import { features } from '../../src/nlu/features.js';
import { realEngine, realKnowledge } from '../helpers.js';

// The section index ranks a question by an inverted index per topic: the scores and overlaps must be
// what the earlier cosine over one term Map per vector gives, bit for bit.
describe('section index by inverted index', () => {
  const kb = realKnowledge();
  const nlu = realEngine().nlu;
  const docs: SectionDoc[] = kb.topics.flatMap((t) =>
    [...t.content.sections].map(([facet, blocks]) => ({ topic: t.id, facet, blocks, examples: t.followups[facet] ?? [] })),
  );
  const featurize = (text: string) => nlu.featurize(nlu.prepare(text));
  // A prior that varies with the question, so its blending is compared too.
  const facets = [...new Set(docs.map((d) => d.facet))];
  const prior = (terms: readonly string[]) => new Map(facets.map((f, i) => [f, ((terms.length + i) % 5) / 4]));

  it('ranks every topic as the earlier index does, on real questions and follow-ups', () => {
    const fast = createSectionIndex(docs, featurize, prior, 0.45);
    const reference = referenceSectionIndex(docs, featurize, prior, 0.45);
    const questions = [
      ...docs.flatMap((d) => d.examples ?? []).filter((_, i) => i % 3 === 0),
      ...kb.topics.flatMap((t) => t.utterances).filter((_, i) => i % 11 === 0),
      ...kb.facets.flatMap((f) => f.utterances),
      '',
      '的',
      '𠀀𠀁 零钱通',
      'shiming',
    ];
    const topics = [...new Set(docs.map((d) => d.topic)), 'nope'];
    for (const q of questions) {
      const terms = featurize(q);
      for (const topic of topics) expect(fast.rank(topic, terms)).toEqual(reference.rank(topic, terms));
      expect(fast.followUpLike(terms)).toBe(reference.followUpLike(terms));
    }
  });

  it('ranks as the earlier index does without a prior, on character terms and astral characters', () => {
    const small: SectionDoc[] = [
      { topic: 'a', facet: 'conditions', blocks: [{ type: 'list', items: ['零钱通余额为 0', '𠀀𠀁 微粒贷已还清'] }], examples: ['𠀀𠀁', '零钱通呢', '啊'] },
      { topic: 'a', facet: 'duration', blocks: [{ type: 'paragraph', text: '确认后即时生效' }], examples: ['要多久'] },
      { topic: 'b', facet: 'conditions', blocks: [{ type: 'paragraph', text: '' }] },
    ];
    const fast = createSectionIndex(small, features);
    const reference = referenceSectionIndex(small, features);
    for (const q of ['零钱通', '𠀀𠀁', '𠀀𠀁 零钱通 零钱通', '多久', '生效要多久', '', '啊']) {
      for (const topic of ['a', 'b']) expect(fast.rank(topic, features(q))).toEqual(reference.rank(topic, features(q)));
    }
  });
});

// --- the earlier implementation, kept as the reference ---
const informative = (t: string) => [...t].length >= 2;

function vectorOf(terms: readonly string[], idf: (t: string) => number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
  const v = new Map<string, number>();
  let norm = 0;
  for (const [t, n] of counts) {
    const w = (1 + Math.log(n)) * idf(t);
    v.set(t, w);
    norm += w * w;
  }
  norm = Math.sqrt(norm) || 1;
  for (const [t, w] of v) v.set(t, w / norm);
  return v;
}

function cosine(q: ReadonlyMap<string, number>, d: ReadonlyMap<string, number>): number {
  let dot = 0;
  for (const [t, w] of q) {
    const x = d.get(t);
    if (x) dot += w * x;
  }
  return dot;
}

function referenceSectionIndex(
  docs: readonly SectionDoc[],
  featurize: (text: string) => string[],
  prior?: (terms: readonly string[]) => Map<string, number>,
  priorWeight = 0,
): SectionIndex {
  const textTerms = docs.map((d) => featurize(d.blocks.map(blockText).join('\n')).filter(informative));
  const exampleTerms = docs.map((d) => (d.examples ?? []).map((e) => featurize(e).filter(informative)).filter((t) => t.length));
  const df = new Map<string, number>();
  docs.forEach((_, i) => {
    for (const t of new Set([...textTerms[i]!, ...exampleTerms[i]!.flat()])) df.set(t, (df.get(t) ?? 0) + 1);
  });
  const idf = (t: string) => Math.log(1 + docs.length / (df.get(t) ?? 0.5));
  const vectors = textTerms.map((terms) => vectorOf(terms, idf));
  const exampleVectors = exampleTerms.map((list) => list.map((terms) => vectorOf(terms, idf)));
  const vocabulary = docs.map((_, i) => new Set([...textTerms[i]!, ...exampleTerms[i]!.flat()]));
  const byTopic = new Map<string, number[]>();
  docs.forEach((d, i) => byTopic.set(d.topic, [...(byTopic.get(d.topic) ?? []), i]));
  const priorOf = (terms: readonly string[]) => prior!(terms);

  return {
    followUpLike: (terms) => (prior ? Math.max(0, ...priorOf(terms).values()) : 0),
    rank(topic, terms) {
      const q = vectorOf(terms.filter(informative), idf);
      const hits: SectionHit[] = [];
      const facetPrior = prior && priorWeight > 0 ? priorOf(terms) : null;
      let known = 0;
      for (const t of q.keys()) if (df.has(t)) known += idf(t);
      for (const i of byTopic.get(topic) ?? []) {
        let own = cosine(q, vectors[i]!);
        for (const e of exampleVectors[i]!) own = Math.max(own, cosine(q, e));
        let shared = 0;
        for (const t of q.keys()) if (vocabulary[i]!.has(t)) shared += idf(t);
        const p = facetPrior?.get(docs[i]!.facet as Facet) ?? 0;
        const score = (1 - priorWeight) * own + priorWeight * p;
        if (own > 0 || p > 0) hits.push({ facet: docs[i]!.facet, score, overlap: known ? shared / known : 0 });
      }
      return hits.sort((a, b) => b.score - a.score);
    },
  };
}
