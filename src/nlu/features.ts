/**
 * Features: token arrays we make ourselves, because natural's tokenizers drop
 * Chinese characters silently. Han text gives character unigrams and bigrams;
 * Latin text (pinyin, English) gives words (`w:` prefix) and character
 * trigrams, so `shimingrenzheng` still meets `shiming renzheng`.
 *
 * No word segmentation for Han text: Node's Intl.Segmenter splits this
 * domain's words badly (微/信实/名/认证) and cost a third of the time, and
 * without it accuracy was the same on every evaluation set.
 */

const SEGMENT_RE = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+/gu;
const HAN_START_RE = /^\p{Script=Han}/u;

/** Tokens of normalised text (see normalize()). Deterministic; duplicates kept (they are term counts). */
export function features(normalized: string): string[] {
  const tokens: string[] = [];
  for (const match of normalized.matchAll(SEGMENT_RE)) {
    const run = match[0];
    if (HAN_START_RE.test(run)) hanFeatures(run, tokens);
    else latinFeatures(run, tokens);
  }
  return tokens;
}

function hanFeatures(run: string, out: string[]): void {
  const chars = Array.from(run);
  for (let i = 0; i < chars.length; i++) {
    out.push(chars[i]!);
    if (i + 1 < chars.length) out.push(chars[i]! + chars[i + 1]!);
  }
}

function latinFeatures(word: string, out: string[]): void {
  out.push('w:' + word);
  if (word.length < 4 || /^\d+$/.test(word)) return;
  const padded = `#${word}#`;
  for (let i = 0; i + 3 <= padded.length; i++) out.push('t:' + padded.slice(i, i + 3));
}
