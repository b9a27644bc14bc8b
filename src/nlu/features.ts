/**
 * Features: token arrays we make ourselves, because natural's tokenizers drop
 * Chinese characters silently. Han text gives character unigrams and bigrams
 * plus Intl.Segmenter words (`w:` prefix); Latin text (pinyin, English) gives words and
 * character trigrams, so `shimingrenzheng` still meets `shiming renzheng`.
 */

const SEGMENT_RE = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+/gu;
const HAN_START_RE = /^\p{Script=Han}/u;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
/** Segmenter words this long or longer become `w:` tokens (they weigh word boundaries). */
const MIN_WORD = 2;

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
  if (chars.length >= MIN_WORD) {
    for (const { segment, isWordLike } of segmenter.segment(run)) {
      if (isWordLike && segment.length >= MIN_WORD) out.push('w:' + segment);
    }
  }
}

function latinFeatures(word: string, out: string[]): void {
  out.push('w:' + word);
  if (word.length < 4 || /^\d+$/.test(word)) return;
  const padded = `#${word}#`;
  for (let i = 0; i + 3 <= padded.length; i++) out.push('t:' + padded.slice(i, i + 3));
}
