/**
 * Facet detection: does the message ask for one aspect of a topic
 * ("要多久?", "需要什么材料")? A facet phrase counts when the message
 * contains nearly all of its (weighted) tokens, so "注销账号要多久" carries
 * the duration facet, and the rest of the message can still name a topic.
 */
import { features } from './features.js';
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
}

export interface FacetDetector {
  /** The facet of the longest phrase the message contains, or null. */
  detect(normalized: string): FacetHit | null;
}

export function createFacetDetector(phrases: readonly FacetPhrase[], coverage = matching.facetCoverage): FacetDetector {
  const entries = phrases
    .map((p) => ({ ...p, tokens: [...new Set(features(p.text))], length: [...p.text].length }))
    .filter((p) => p.tokens.length > 0)
    // Longest first: "需要多长时间" beats "时间".
    .sort((a, b) => b.length - a.length || (a.text < b.text ? -1 : 1));

  return {
    detect(normalized) {
      if (!normalized) return null;
      const present = new Set(features(normalized));
      for (const e of entries) {
        let found = 0;
        for (const t of e.tokens) if (present.has(t)) found++;
        if (found / e.tokens.length >= coverage) return { facet: e.facet, phrase: e.text };
      }
      return null;
    },
  };
}

/** The message with a facet phrase's characters taken out, to see what topic remains. */
export function withoutPhrase(normalized: string, phrase: string): string {
  if (normalized.includes(phrase)) return normalized.replace(phrase, ' ').replace(/\s+/g, ' ').trim();
  const drop = new Set(phrase);
  return [...normalized].filter((c) => !drop.has(c)).join('').replace(/\s+/g, ' ').trim();
}
