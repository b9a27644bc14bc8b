/**
 * Which section of a topic a detail question asks about ("理财通里的钱要先转出来吗"
 * after 解除实名 -> its `conditions`): retrieval over the topic's own
 * sections, like Rasa's ResponseSelector over a retrieval intent's responses.
 * A section is its own text and the follow-up questions curators listed for
 * it (`followups:` in intents/<id>.yaml): the question meets the nearer of the
 * two, the text as a whole or its nearest example (k-NN). The same terms as
 * the matcher (so lexicon entities carry over: 转账 meets 支付功能 through
 * `e:object=pay`), weighted by tf-idf over every section.
 */
import type { Block, Facet } from '../engine/types.js';

export interface SectionHit {
  facet: Facet;
  /** The blend of the section's own text and the facet prior, 0..1. */
  score: number;
  /**
   * How much of the question the section's own text explains: the idf weight of the question's
   * words found in the section, over that of its words found in any section (0..1).
   */
  overlap: number;
}

export interface SectionIndex {
  /**
   * The topic's sections for a question, best first: how much the question shares with the
   * section's own text, plus how much it reads like any topic's section of that facet
   * ("还能…吗" asks about consequences whatever the topic). Sections sharing nothing score 0.
   */
  rank(topic: string, terms: readonly string[]): SectionHit[];
  /** How much the question reads like a follow-up of some facet, whatever the topic (0..1). */
  followUpLike(terms: readonly string[]): number;
}


export interface SectionDoc {
  topic: string;
  facet: Facet;
  blocks: readonly Block[];
  /** Follow-up questions this section answers, as curators wrote them (raw text). */
  examples?: readonly string[];
}

/** Single characters say little about which section is meant: words, bigrams and entities do. */
const informative = (t: string) => [...t].length >= 2;

export function blockText(b: Block): string {
  switch (b.type) {
    case 'steps':
    case 'list':
      return b.items.join('\n');
    case 'channels':
      return b.channels.map((c) => c.name).join('\n');
    case 'sources':
      return '';
    default:
      return b.text;
  }
}

/** Weighted, length-normalised term vector (log tf times idf). */
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

export function createSectionIndex(
  docs: readonly SectionDoc[],
  featurize: (text: string) => string[],
  prior?: (terms: readonly string[]) => Map<string, number>,
  priorWeight = 0,
): SectionIndex {
  const textTerms = docs.map((d) => featurize(d.blocks.map(blockText).join('\n')).filter(informative));
  const exampleTerms = docs.map((d) => (d.examples ?? []).map((e) => featurize(e).filter(informative)).filter((t) => t.length));
  // A section's words are those of its text and of its examples: document frequency counts either.
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
  // A turn asks about its terms several times (its own topic's sections, another topic's, how much
  // it reads like a follow-up): the prior of the last terms array is kept, as they are immutable.
  let lastTerms: readonly string[] | null = null;
  let lastPrior = new Map<string, number>();
  const priorOf = (terms: readonly string[]) => {
    if (terms !== lastTerms) {
      lastPrior = prior!(terms);
      lastTerms = terms;
    }
    return lastPrior;
  };

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
        const p = facetPrior?.get(docs[i]!.facet) ?? 0;
        const score = (1 - priorWeight) * own + priorWeight * p;
        if (own > 0 || p > 0) hits.push({ facet: docs[i]!.facet, score, overlap: known ? shared / known : 0 });
      }
      return hits.sort((a, b) => b.score - a.score);
    },
  };
}
