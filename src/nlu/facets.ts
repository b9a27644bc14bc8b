/**
 * Facet detection: does the message ask for one aspect of a topic
 * ("要多久?", "需要什么材料")? A facet phrase counts when the message
 * contains most of its tokens (bigrams and words weigh more than single
 * characters), so "注销账号要多久" carries the duration facet and
 * "要满足啥条件" still meets "需要满足什么条件". The rest of the message can
 * still name a topic.
 */
import { features, termLookup } from './features.js';
import { matching } from './config.js';

export interface FacetPhrase {
  facet: string;
  /** Normalised text. */
  text: string;
}

export interface FacetHit {
  facet: string;
  /** The phrase that matched, normalised. */
  phrase: string;
  /** Weighted share of the phrase found in the message, 0..1. */
  coverage: number;
}

export interface FacetDetector {
  /** The facet phrase that covers the most of the message, or null. */
  detect(normalized: string): FacetHit | null;
  /** The same for terms already made (character and Latin terms of the message). */
  detectTerms(terms: readonly string[]): FacetHit | null;
}

/** A single character (one code point) weighs half a bigram or word. */
const tokenWeight = (t: string) => (t.length === 1 || (t.length === 2 && t.codePointAt(0)! > 0xffff) ? 0.5 : 1);

/**
 * English words that ask nothing by themselves: "is there a fee" must meet "fee", not only "is there a"
 * ("is there a human i can email or call" asks no cost).
 */
const FUNCTION_WORDS = new Set(
  'a an the is are am was be it its i me my you your we he she they them this that there these those do does did can could will would to of for in on at or and with any have has had should'.split(' '),
);
/** A phrase's words that say what it asks (Latin words other than function words). */
const contentWords = (tokens: readonly string[]) => tokens.filter((t) => t.startsWith('w:') && !FUNCTION_WORDS.has(t.slice(2)));

export function createFacetDetector(phrases: readonly FacetPhrase[], minCoverage = matching.facetCoverage): FacetDetector {
  const entries = phrases
    .map((p) => {
      const tokens = [...new Set(features(p.text))];
      return { ...p, tokens, total: tokens.reduce((s, t) => s + tokenWeight(t), 0), content: contentWords(tokens) };
    })
    .filter((p) => p.total > 0);
  // Inverted index: a message is compared only with the phrases it shares a token with. Tokens
  // are numbered; each has its phrases and its weight.
  const tokenIds = new Map<string, number>();
  const postings: number[][] = [];
  const weights: number[] = [];
  entries.forEach((e, i) => {
    for (const t of e.tokens) {
      let id = tokenIds.get(t);
      if (id === undefined) {
        tokenIds.set(t, (id = postings.length));
        postings.push([]);
        weights.push(tokenWeight(t));
      }
      postings[id]!.push(i);
    }
  });
  const tokenId = termLookup(tokenIds);
  // The postings flat: token id's phrases are [postStart[id], postStart[id + 1]) of postPhrase.
  const postStart = new Int32Array(postings.length + 1);
  postings.forEach((list, id) => (postStart[id + 1] = postStart[id]! + list.length));
  const postPhrase = Int32Array.from(postings.flat());
  const tokenWeights = Float64Array.from(weights);
  const totals = Float64Array.from(entries, (e) => e.total);
  const found = new Float64Array(entries.length);
  const touched = new Int32Array(entries.length);
  // seen[id] === call: the token was met already in this call (a repeated token counts once).
  const seen = new Int32Array(postings.length);
  let call = 0;

  return {
    detect(normalized) {
      return normalized ? this.detectTerms(features(normalized)) : null;
    },
    detectTerms(terms) {
      if (++call === 0x7fffffff) {
        seen.fill(0);
        call = 1;
      }
      let touchedCount = 0;
      // The distinct tokens in order of first appearance, as a Set of them would give them.
      for (let k = 0; k < terms.length; k++) {
        const id = tokenId(terms[k]!);
        if (id === undefined || seen[id] === call) continue;
        seen[id] = call;
        const w = tokenWeights[id]!;
        for (let j = postStart[id]!, end = postStart[id + 1]!; j < end; j++) {
          const i = postPhrase[j]!;
          if (found[i] === 0) touched[touchedCount++] = i;
          found[i] = found[i]! + w;
        }
      }
      // The phrase that explains the most of the message wins ("有什么条件" over "条件").
      let best = -1;
      let bestFound = 0;
      let bestCoverage = 0;
      for (let k = 0; k < touchedCount; k++) {
        const i = touched[k]!;
        const weight = found[i]!;
        found[i] = 0;
        const coverage = weight / totals[i]!;
        if (coverage < minCoverage) continue;
        // A Latin phrase counts only when the message has one of its content words.
        const content = entries[i]!.content;
        if (content.length && !content.some((w) => terms.includes(w))) continue;
        const better =
          best < 0 ||
          weight > bestFound ||
          (weight === bestFound && (coverage > bestCoverage || (coverage === bestCoverage && entries[i]!.text < entries[best]!.text)));
        if (better) {
          best = i;
          bestFound = weight;
          bestCoverage = coverage;
        }
      }
      return best < 0 ? null : { facet: entries[best]!.facet, phrase: entries[best]!.text, coverage: bestCoverage };
    },
  };
}

/** The message with a facet phrase's characters taken out, to see what topic remains. */
export function withoutPhrase(normalized: string, phrase: string): string {
  if (normalized.includes(phrase)) return normalized.replace(phrase, ' ').replace(/\s+/g, ' ').trim();
  const drop = new Set(phrase);
  return [...normalized].filter((c) => !drop.has(c)).join('').replace(/\s+/g, ' ').trim();
}
