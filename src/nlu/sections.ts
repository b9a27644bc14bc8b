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

/**
 * Single characters say little about which section is meant: words, bigrams and entities do.
 * ([...t].length >= 2 without the array: two code units are one code point only as a surrogate pair.)
 */
const informative = (t: string) =>
  t.length > 2 || (t.length === 2 && !(t.charCodeAt(0) >= 0xd800 && t.charCodeAt(0) <= 0xdbff && t.charCodeAt(1) >= 0xdc00 && t.charCodeAt(1) <= 0xdfff));

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

/**
 * A topic's sections as an inverted index (flat arrays). Its vectors are numbered section by section
 * (the section's text, then each of its examples): section k's are [firstVector[k], firstVector[k + 1]).
 * Term `terms.get(t)` = n has postings [start[n], start[n + 1]) of `vector` and `weight` (the vectors
 * holding it, its weight there) and [docStart[n], docStart[n + 1]) of `doc` (the sections whose words
 * include it).
 */
interface TopicIndex {
  /** The topic's sections (indexes of `docs`). */
  docs: number[];
  firstVector: Int32Array;
  terms: Map<string, number>;
  start: Int32Array;
  vector: Int32Array;
  weight: Float64Array;
  docStart: Int32Array;
  doc: Int32Array;
}

/** CSR arrays of (key, value) pairs grouped by key, each key's values in the order given. */
function grouped(keys: readonly number[], values: readonly number[], count: number): { start: Int32Array; value: Int32Array; at: Int32Array } {
  const start = new Int32Array(count + 1);
  for (const k of keys) start[k + 1]!++;
  for (let k = 0; k < count; k++) start[k + 1]! += start[k]!;
  const value = new Int32Array(keys.length);
  // Where each pair went (for a second array of values in the same places).
  const at = new Int32Array(keys.length);
  const fill = start.slice(0, count);
  for (let i = 0; i < keys.length; i++) value[(at[i] = fill[keys[i]!]!++)] = values[i]!;
  return { start, value, at };
}

export function createSectionIndex(
  docs: readonly SectionDoc[],
  featurize: (text: string) => string[],
  prior?: (terms: readonly string[]) => Map<string, number>,
  priorWeight = 0,
): SectionIndex {
  const textTerms = docs.map((d) => featurize(d.blocks.map(blockText).join('\n')).filter(informative));
  const exampleTerms = docs.map((d) => (d.examples ?? []).map((e) => featurize(e).filter(informative)).filter((t) => t.length));
  // Every term of the sections, numbered in order of first appearance, and each text's and
  // example's terms by number.
  const termIds = new Map<string, number>();
  const termText: string[] = [];
  const numbered = (terms: readonly string[]) => {
    const ids = new Int32Array(terms.length);
    for (let k = 0; k < terms.length; k++) {
      let id = termIds.get(terms[k]!);
      if (id === undefined) {
        termIds.set(terms[k]!, (id = termText.length));
        termText.push(terms[k]!);
      }
      ids[k] = id;
    }
    return ids;
  };
  // A section's vectors: its text's, then each example's.
  const vectorTerms = docs.map((_, i) => [numbered(textTerms[i]!), ...exampleTerms[i]!.map(numbered)]);
  // A section's words are those of its text and of its examples: document frequency counts either.
  // (`vocabulary[i]` lists section i's distinct terms; `seenIn[t] === i` while it is made means t is in it.)
  const df = new Int32Array(termText.length);
  const seenIn = new Int32Array(termText.length).fill(-1);
  const vocabulary = vectorTerms.map((vectors, i) => {
    const words: number[] = [];
    for (const ids of vectors) {
      for (let k = 0; k < ids.length; k++) {
        if (seenIn[ids[k]!] === i) continue;
        seenIn[ids[k]!] = i;
        df[ids[k]!]!++;
        words.push(ids[k]!);
      }
    }
    return words;
  });
  const idfOf = Float64Array.from(df, (n) => Math.log(1 + docs.length / n));
  /** A term no section uses counts as if half a section did. */
  const unknownIdf = Math.log(1 + docs.length / 0.5);
  const idf = (t: string) => {
    const id = termIds.get(t);
    return id === undefined ? unknownIdf : idfOf[id]!;
  };

  const byTopic = new Map<string, TopicIndex>();
  for (let i = 0; i < docs.length; i++) {
    let index = byTopic.get(docs[i]!.topic);
    if (!index) {
      const none = new Int32Array(0);
      byTopic.set(docs[i]!.topic, (index = { docs: [], firstVector: none, terms: new Map(), start: none, vector: none, weight: new Float64Array(0), docStart: none, doc: none }));
    }
    index.docs.push(i);
  }
  // Scratch of unit vectors: a term's count in the vector being weighed (0 between vectors), and
  // its distinct terms in order of first appearance.
  const count = new Int32Array(termText.length);
  const order: number[] = [];
  // The topic's number of each term (-1: not in the topic), set back after each topic.
  const local = new Int32Array(termText.length).fill(-1);
  for (const index of byTopic.values()) {
    const firstVector = new Int32Array(index.docs.length + 1);
    const localTerms: number[] = [];
    const term = (id: number) => {
      if (local[id] === -1) {
        local[id] = localTerms.length;
        localTerms.push(id);
        index.terms.set(termText[id]!, local[id]!);
      }
      return local[id]!;
    };
    // (term, vector, weight) and (term, section) pairs, in order.
    const pairTerm: number[] = [];
    const pairVector: number[] = [];
    const pairWeight: number[] = [];
    const docTerm: number[] = [];
    const docOf: number[] = [];
    let vector = 0;
    index.docs.forEach((i, k) => {
      firstVector[k] = vector;
      for (const ids of vectorTerms[i]!) {
        // The vector's log tf times idf, length-normalised: vectorOf() of its terms.
        order.length = 0;
        for (let j = 0; j < ids.length; j++) if (count[ids[j]!]!++ === 0) order.push(ids[j]!);
        const from = pairWeight.length;
        let norm = 0;
        for (const id of order) {
          const w = (1 + Math.log(count[id]!)) * idfOf[id]!;
          count[id] = 0;
          pairTerm.push(term(id));
          pairVector.push(vector);
          pairWeight.push(w);
          norm += w * w;
        }
        norm = Math.sqrt(norm) || 1;
        for (let j = from; j < pairWeight.length; j++) pairWeight[j] = pairWeight[j]! / norm;
        vector++;
      }
      for (const id of vocabulary[i]!) {
        docTerm.push(term(id));
        docOf.push(k);
      }
    });
    for (const id of localTerms) local[id] = -1;
    firstVector[index.docs.length] = vector;
    index.firstVector = firstVector;
    const postings = grouped(pairTerm, pairVector, localTerms.length);
    index.start = postings.start;
    index.vector = postings.value;
    index.weight = new Float64Array(pairWeight.length);
    for (let i = 0; i < pairWeight.length; i++) index.weight[postings.at[i]!] = pairWeight[i]!;
    const sections = grouped(docTerm, docOf, localTerms.length);
    index.docStart = sections.start;
    index.doc = sections.value;
  }
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
      for (const t of q.keys()) if (termIds.has(t)) known += idf(t);
      const index = byTopic.get(topic);
      if (!index) return hits;
      // The cosine to each of the topic's vectors, and each section's idf weight of the question's
      // words, summed term by term in the question's order (the order a cosine over one vector adds them).
      const { firstVector, start, vector, weight, docStart, doc } = index;
      const dot = new Float64Array(firstVector[index.docs.length]!);
      const shared = new Float64Array(index.docs.length);
      for (const [t, w] of q) {
        const n = index.terms.get(t);
        if (n === undefined) continue;
        for (let k = start[n]!; k < start[n + 1]!; k++) dot[vector[k]!]! += w * weight[k]!;
        for (let k = docStart[n]!; k < docStart[n + 1]!; k++) shared[doc[k]!]! += idf(t);
      }
      for (let k = 0; k < index.docs.length; k++) {
        // The nearer of the section's text and its nearest example.
        let own = dot[firstVector[k]!]!;
        for (let v = firstVector[k]! + 1; v < firstVector[k + 1]!; v++) own = Math.max(own, dot[v]!);
        const facet = docs[index.docs[k]!]!.facet;
        const p = facetPrior?.get(facet) ?? 0;
        const score = (1 - priorWeight) * own + priorWeight * p;
        if (own > 0 || p > 0) hits.push({ facet, score, overlap: known ? shared[k]! / known : 0 });
      }
      return hits.sort((a, b) => b.score - a.score);
    },
  };
}
