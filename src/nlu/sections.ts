/**
 * Which section of a topic a detail question asks about ("理财通里的钱要先转出来吗"
 * after 解除实名 -> its `conditions`): retrieval over the topic's own
 * sections, like Rasa's ResponseSelector over a retrieval intent's responses.
 * A section is the sentences of its text and the follow-up questions curators
 * listed for it (`followups:` in intents/<id>.yaml), one label of the same
 * matcher as topics (nearest example and centroid, with every section of every
 * topic as the other labels, so a word common to many sections weighs little);
 * a question is ranked among its topic's sections only. The same terms as the
 * topic matcher, so lexicon entities carry over: 转账 meets 支付功能 through
 * `e:object=pay`.
 */
import type { Block, Facet } from '../engine/types.js';
import { createMatcher } from './matcher.js';
import { dialogue, matching, type MatchingConfig } from './config.js';

export interface SectionHit {
  facet: Facet;
  /**
   * The blend of the section's own text and the facet prior at a fixed share, 0..1: how well the turn
   * reads as this section (hits are ordered by a blend whose share varies, so this may not decrease).
   */
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
   * ("还能…吗" asks about consequences whatever the topic), which counts more when the topic's text
   * explains the question little. Sections sharing nothing score 0.
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

/** The sentences of a section's text, each an example of its label. */
export const sentences = (blocks: readonly Block[]): string[] => blocks.flatMap((b) => blockText(b).split(/\n|。/));

/**
 * The matcher's scoring without its softmax: a logistic regression over a hundred-odd sections
 * would cost a second build of the topic matcher's size, and it found the right section of
 * held-out follow-ups no more often (10-fold over the curated follow-ups).
 * One matcher for every topic's sections, not one per topic: per topic found a held-out
 * follow-up's section a little more often (936 against 926 of 1,181), but its scores do not
 * compare across topics, and the policy compares them (does a turn read more like a follow-up
 * of the live topic or of another: 「那注销账号呢」 after 解除实名 stayed on it).
 */
const sectionMatching = (): MatchingConfig => ({
  ...matching,
  softmaxWeight: 0,
  knnWeight: dialogue.sectionNearestWeight,
  centroidWeight: dialogue.sectionCentroidWeight,
});

export function createSectionIndex(
  docs: readonly SectionDoc[],
  featurize: (text: string) => string[],
  prior?: (terms: readonly string[]) => Map<string, number>,
  /**
   * The prior's share: in a hit's score (how well the turn reads as that section, compared with
   * thresholds and with other topics' sections), and in the order of a topic's sections, where it
   * goes from `unexplained` (no section's own text explains the question) down to `explained`.
   */
  priorWeight: { score: number; explained: number; unexplained: number } = { score: 0, explained: 0, unexplained: 0 },
  /** A question whose best section scores this on its own text is explained well. */
  explainedAbove = 1,
): SectionIndex {
  const termsOf = new Map<string, string[]>();
  const featurizeOnce = (text: string) => {
    let terms = termsOf.get(text);
    if (!terms) termsOf.set(text, (terms = featurize(text)));
    return terms;
  };
  // A section's lines: its sentences and follow-ups that say anything (a section without one is
  // left out). Labels are "<topic>#<facet>".
  const labels = docs.map((d) => `${d.topic}#${d.facet}`);
  const lines = docs.map((d) => [...sentences(d.blocks), ...(d.examples ?? [])].filter((line) => line.trim() && featurizeOnce(line).length));
  const matcher = createMatcher(
    lines.flatMap((list, i) => list.map((text) => ({ label: labels[i]!, text }))),
    [],
    { featurize: featurizeOnce, config: sectionMatching() },
  );
  // How much of a question a section's words explain (its overlap) counts words of two characters
  // or more, weighted by how few sections use them.
  const vocabulary = lines.map((list) => new Set(list.flatMap((line) => featurizeOnce(line).filter(informative))));
  termsOf.clear();
  const df = new Map<string, number>();
  for (const words of vocabulary) for (const t of words) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + docs.length / (df.get(t) ?? 0.5));
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

  // So are its scores against every section (the live topic's and another's come from one ranking).
  let lastOwnTerms: readonly string[] | null = null;
  let lastOwned = new Map<string, number>();
  const ownedOf = (terms: readonly string[]) => {
    if (terms !== lastOwnTerms) {
      lastOwned = new Map(matcher.rankTerms(terms, '').map((r) => [r.label, r.score]));
      lastOwnTerms = terms;
    }
    return lastOwned;
  };

  return {
    followUpLike: (terms) => (prior ? Math.max(0, ...priorOf(terms).values()) : 0),
    rank(topic, terms) {
      const indices = byTopic.get(topic);
      if (!indices) return [];
      const words = new Set(terms.filter(informative));
      const hits: SectionHit[] = [];
      const facetPrior = prior && Math.max(priorWeight.score, priorWeight.unexplained) > 0 ? priorOf(terms) : null;
      const owned = ownedOf(terms);
      let known = 0;
      for (const t of words) if (df.has(t)) known += idf(t);
      // Which section is asked: the prior's share grows as the topic's own text explains the question less.
      const rows = indices.map((i) => ({ i, own: owned.get(labels[i]!) ?? 0 }));
      const explained = Math.min(1, Math.max(0, ...rows.map((r) => r.own)) / explainedAbove);
      const weight = facetPrior ? priorWeight.unexplained - (priorWeight.unexplained - priorWeight.explained) * explained : 0;
      const order = new Map<SectionHit, number>();
      for (const { i, own } of rows) {
        let shared = 0;
        for (const t of words) if (vocabulary[i]!.has(t)) shared += idf(t);
        const p = facetPrior?.get(docs[i]!.facet) ?? 0;
        if (own > 0 || p > 0) {
          const hit = { facet: docs[i]!.facet, score: (1 - priorWeight.score) * own + priorWeight.score * p, overlap: known ? shared / known : 0 };
          order.set(hit, (1 - weight) * own + weight * p);
          hits.push(hit);
        }
      }
      return hits.sort((a, b) => order.get(b)! - order.get(a)!);
    },
  };
}
