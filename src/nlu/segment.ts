/**
 * Chinese words from @node-rs/jieba (HMM on, so words missing from its
 * dictionary are still grouped), with the lexicon's forms as a user dictionary
 * so a domain word ("实名认证", "零钱通") is never cut. Like Rasa's
 * JiebaTokenizer with `dictionary_path`.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

export interface Token {
  text: string;
  start: number;
  end: number;
}

export interface Segmenter {
  /** Words of `text` with their spans (code-unit offsets); spaces are dropped. */
  cut(text: string): Token[];
  /** Whether `word` is a word of jieba's general dictionary or the user words ("清楚", "取笑"; not "实明"). */
  isWord(word: string): boolean;
}

/** Frequency given to user words: high enough that jieba keeps them whole. */
const USER_WORD_FREQ = 200_000;
const HAN_RE = /\p{Script=Han}/u;

// jieba's dictionary takes ~0.2 s to load: one instance per set of user words, per process.
const cache = new Map<string, Jieba>();

/** A segmenter whose dictionary also holds `userWords` (Han words; others are ignored). */
export function createSegmenter(userWords: readonly string[]): Segmenter {
  const words = [...new Set(userWords.filter((w) => HAN_RE.test(w) && !/\s/.test(w)))].sort();
  const key = words.join('\n');
  let jieba = cache.get(key);
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    if (words.length) jieba.loadDict(Buffer.from(words.map((w) => `${w} ${USER_WORD_FREQ} n`).join('\n') + '\n'));
    cache.set(key, jieba);
  }
  const jb = jieba;
  // Asked only of a stretch that sounds like a domain word (a few per message at most), and kept.
  const known = new Map<string, boolean>();
  return {
    isWord(word) {
      let hit = known.get(word);
      if (hit === undefined) {
        if (known.size >= 4096) known.clear();
        known.set(word, (hit = jb.cutAll(word).includes(word)));
      }
      return hit;
    },
    cut(text) {
      const out: Token[] = [];
      let at = 0;
      for (const piece of jb.cut(text, true)) {
        // The pieces follow one another: where this one starts where the last ended, no search.
        const start = text.startsWith(piece, at) ? at : text.indexOf(piece, at);
        if (start < 0) continue;
        at = start + piece.length;
        if (piece.trim()) out.push({ text: piece, start, end: at });
      }
      return out;
    },
  };
}
