/**
 * Pinyin, with pinyin-pro: a question typed in pinyin ("weixin zenme jiechu
 * shiming", "shi2ming2", "lv") is rewritten to the Han words it spells, and a
 * homophone typo of a lexicon word (实明, 注消, 威信) becomes that word. Only
 * words the bot knows are produced: the lexicon's forms and the words of the
 * training utterances.
 */
import { pinyin } from 'pinyin-pro';
import { FlatTrie, hanLength, isHanPoint, pointAt } from './features.js';

export interface PinyinConverter {
  /** `text` with pinyin runs and homophone typos rewritten to known Han words. */
  rewrite(text: string): string;
}

const LATIN_RUN_RE = /[\p{Script=Latin}\p{M}\d]+(?:\s+[\p{Script=Latin}\p{M}\d]+)*/gu;
// A pinyin syllable (toneless, v or ü for ü), so English words are left alone.
// Without an initial, only finals that start with a, o or e: pinyin writes yi, wu, yu, ying, wan …,
// never a bare i, u or ü, so the English "i" or "u" is no syllable.
const SYLLABLE =
  "(?:(?:[bpmfdtnlgkhjqxzcsryw]|zh|ch|sh)(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|üan|ai|ei|ao|ou|an|en|er|in|un|vn|ün|ia|ie|iu|ua|uo|ui|ve|üe|a|o|e|i|u|v|ü)|ang|eng|ai|ei|ao|ou|an|en|er|a|o|e)";
const PINYIN_WORD_RE = new RegExp(`^(?:${SYLLABLE})+$`, 'u');

const SYLLABLE_AT_RE = new RegExp(`^${SYLLABLE}`, 'u');
/** The syllables that can start at `i` (longest first, and shorter ones: "xian" and "xi"+"an"). */
function syllablesAt(letters: string, i: number): string[] {
  const rest = letters.slice(i, i + 6);
  let out = syllableMemo.get(rest);
  if (out) return out;
  out = [];
  for (let n = rest.length; n >= 1; n--) {
    const piece = rest.slice(0, n);
    const m = SYLLABLE_AT_RE.exec(piece);
    if (m && m[0].length === n) out.push(piece);
  }
  // Bounded: arbitrary text must not grow it forever.
  if (syllableMemo.size >= 10_000) syllableMemo.clear();
  syllableMemo.set(rest, out);
  return out;
}
/** [...s].length, without the array. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) if (s.charCodeAt(i) >= 0xd800 && s.charCodeAt(i) <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) i++;
  return n;
}
/** syllablesAt() depends on the next six letters only. */
const syllableMemo = new Map<string, string[]>();

const charMemo = new Map<string, string>();
/** Toneless pinyin of one Han character (its most common reading), v for ü. */
function charPinyin(ch: string): string {
  let p = charMemo.get(ch);
  if (p === undefined) {
    p = pinyin(ch, { toneType: 'none', v: true }).replace(/\s+/g, '');
    charMemo.set(ch, p);
  }
  return p;
}
const keyOf = (word: string) => Array.from(word, charPinyin).join('');
/** pointPinyin() below U+10000 by index (most Han characters), above it in a Map. */
const bmpPinyin: (string | undefined)[] = new Array<string | undefined>(0x10000);
const pointMemo = new Map<number, string>();
/** charPinyin() of the character with this code point (looked up by number, not by a new string). */
function pointPinyin(point: number): string {
  if (point < 0x10000) return (bmpPinyin[point] ??= charPinyin(String.fromCharCode(point)));
  let p = pointMemo.get(point);
  if (p === undefined) pointMemo.set(point, (p = charPinyin(String.fromCodePoint(point))));
  return p;
}

/** Strips tone marks and tone numbers from Latin text: "shí míng", "shi2ming2" -> "shi ming", "shiming". */
const toneless = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, (m) => (m === '\u0308' ? '\u0308' : ''))
    .normalize('NFC')
    .replace(/ü/g, 'v')
    .replace(/([a-z])[1-5]/g, '$1');

export interface PinyinOptions {
  /** Targets of homophone repair: curated domain words (lexicon forms). */
  domainWords: readonly string[];
  /** Words pinyin text may be rewritten to (domain words come first). */
  knownWords: readonly string[];
  /** Single characters pinyin syllables may be rewritten to, most likely first (不 for "bu"). */
  knownChars?: readonly string[];
  /**
   * English words that happen to spell pinyin ("name", "delete", "can"): never read as pinyin, so
   * "can i delete real name" stays English. Words the pinyin lines use too are not among them.
   */
  englishWords?: readonly string[];
  /**
   * Whether a Han word is a word of the general dictionary ("清楚" clear, "取笑" mock, "过时"
   * outdated): such a word is what it says, never a typo of the domain word it sounds like (清除,
   * 取消, 过世). A typo that is also a rare dictionary word ("注消") is listed as a lexicon form.
   */
  isWord?: (word: string) => boolean;
}

/** Whether a Latin word (lower case, toneless) spells pinyin syllables. */
export const spellsPinyin = (word: string) => PINYIN_WORD_RE.test(word);

export function createPinyinConverter({ domainWords, knownWords, knownChars = [], englishWords = [], isWord = () => false }: PinyinOptions): PinyinConverter {
  const english = new Set(englishWords);
  const isPinyinWord = (w: string) => PINYIN_WORD_RE.test(w) && !english.has(w);
  // Han words of 2-5 characters (/^\p{Script=Han}+$/u).
  const multi = (w: string) => {
    const n = hanLength(w);
    return n >= 2 && n <= 5;
  };
  const domain = domainWords.filter(multi);
  const homophone = new Map<string, string>();
  for (const w of domain) {
    const key = keyOf(w);
    if (!homophone.has(key)) homophone.set(key, w);
  }
  const firstSounds = new Set([...homophone.values()].map((w) => charPinyin([...w][0]!)));
  const knownMulti = knownWords.filter(multi);
  const known = new Set<string>([...domain, ...knownMulti]);
  const domainSet = new Set(domain);
  // Pinyin key -> word, for pinyin input. Whole-word readings too, where pinyin-pro knows a better one (还款 huankuan).
  const byKey = new Map<string, string>();
  // Single-character domain words too ("gai" 改, "cha" 查), but only those: a lone syllable says little.
  const single = domainWords.filter((w) => hanLength(w) === 1);
  for (const w of [...domain, ...single, ...knownMulti]) {
    const key = keyOf(w);
    if (!byKey.has(key)) byKey.set(key, w);
  }
  // Whole-word readings of the domain words, where pinyin-pro knows better than character by character (还款 huankuan).
  for (const w of domain) {
    const k = pinyin(w, { toneType: 'none', v: true }).replace(/\s+/g, '');
    if (!byKey.has(k)) byKey.set(k, w);
  }
  const charByKey = new Map<string, string>();
  for (const c of knownChars) if (!charByKey.has(charPinyin(c))) charByKey.set(charPinyin(c), c);
  const maxKey = Math.max(0, ...[...byKey.keys()].map((k) => k.length));

  // Words that can be kept whole, by code point (whether a domain word, a training word), and the
  // homophone keys and pinyin keys by letter: from a position, a walk down each finds every word or
  // key that starts there (most positions: none) without making a string for each stretch.
  // A word's value: DOMAIN and/or KNOWN.
  const DOMAIN = 1;
  const KNOWN = 2;
  const words = new FlatTrie<number>();
  for (const w of new Set([...domainSet, ...known])) words.set(w, (domainSet.has(w) ? DOMAIN : 0) | (known.has(w) ? KNOWN : 0));
  const homophones = new FlatTrie<string>();
  homophone.forEach((w, k) => homophones.set(k, w, true));
  const pinyinKeys = new FlatTrie<string>();
  byKey.forEach((w, k) => pinyinKeys.set(k, w, true));
  // The walks' nodes for the stretch of n characters from the current position (index n).
  const wordAt: number[] = [];
  const keyAt: number[] = [];
  /** The node reached from `node` by the letters of `sound`, or -1. */
  const follow = (node: number, sound: string) => {
    for (let j = 0; j < sound.length && node >= 0; j++) node = homophones.child(node, sound.charCodeAt(j));
    return node;
  };

  // The current run's code points, their readings and where each starts (reused from run to run).
  const runPoints: number[] = [];
  const runSounds: string[] = [];
  const runStarts: number[] = [];

  /** A domain word, written as it is, starts inside the stretch [i, i + n) of `points` and ends after it. */
  function overlapsDomainWord(points: readonly number[], i: number, n: number): boolean {
    for (let k = i + 1; k < i + n; k++) {
      for (let m = 1, node = 0; k + m - 1 < points.length; m++) {
        if ((node = words.child(node, points[k + m - 1]!)) < 0) break;
        if (m >= 2 && k + m > i + n && (words.value(node) ?? 0) & DOMAIN) return true;
      }
    }
    return false;
  }

  function repairHan(run: string): string {
    let count = 0;
    let sounding = false;
    for (let i = 0; i < run.length; i++, count++) {
      const point = run.codePointAt(i)!;
      runStarts[count] = i;
      runPoints[count] = point;
      runSounds[count] = pointPinyin(point);
      if (!sounding && firstSounds.has(runSounds[count]!)) sounding = true;
      if (point > 0xffff) i++;
    }
    runStarts[count] = run.length;
    // A run with no character of a homophone's sound cannot hold a typo of a domain word.
    if (!sounding) return run;
    // Only a stretch that sounds like a domain word other than itself, sharing a character with it,
    // can change the run: without one, every step below keeps the run's own characters.
    if (!mayRepair(run, count)) return run;
    const chars = [...run];
    const points = runPoints.slice(0, count);
    const sounds = runSounds.slice(0, count);
    let out = '';
    for (let i = 0; i < chars.length; ) {
      let step = 0;
      const limit = Math.min(4, chars.length - i);
      // The longest stretch from i that may be a known word (maxWord) or sound like a domain word (maxKey).
      let maxWord = 0;
      for (let n = 1, node = 0; n <= limit; n++) {
        if ((node = words.child(node, points[i + n - 1]!)) < 0) break;
        wordAt[n] = node;
        maxWord = n;
      }
      let maxKey = 0;
      for (let n = 1, node = 0; n <= limit; n++) {
        if ((node = follow(node, sounds[i + n - 1]!)) < 0) break;
        keyAt[n] = node;
        maxKey = n;
      }
      for (let n = Math.min(limit, Math.max(maxWord, maxKey)); n >= 2 && !step; n--) {
        // The stretch's characters sound like the domain word `target` (its pinyin key), and are a word (`entry`).
        const target = n <= maxKey ? homophones.value(keyAt[n]!) : undefined;
        const entry = n <= maxWord ? words.value(wordAt[n]!) : undefined;
        if (!entry && !target) continue;
        const w = chars.slice(i, i + n).join('');
        // A domain word is never "repaired" into another (卖号 is not 买号); a training word only when it
        // sounds like a domain word (注消 is a typo of 注销 even where a training line has it).
        if (entry && (entry & DOMAIN || (entry & KNOWN && (!target || target === w)))) {
          out += w;
          step = n;
          continue;
        }
        // A typo keeps at least one character of the word (实明 ~ 实名; 好吗 is not 号码), is no part
        // of a domain word written right ("去实名" is 去 + 实名, not 去世 + 名), and is no word of its
        // own ("清楚了" is understood, not removed).
        if (target && [...w].some((c, k) => [...target][k] === c) && !overlapsDomainWord(points, i, n) && !isWord(w)) {
          out += target;
          step = n;
        }
      }
      if (!step) {
        out += chars[i];
        step = 1;
      }
      i += step;
    }
    return out;
  }

  /** text.replace(/\p{Script=Han}+/gu, repairHan), by a lookup per code point. */
  function repairHanRuns(text: string): string {
    let out = '';
    let kept = 0;
    for (let i = 0; i < text.length; ) {
      let point = pointAt(text, i);
      let end = i + (point > 0xffff ? 2 : 1);
      if (!isHanPoint(point)) {
        i = end;
        continue;
      }
      while (end < text.length && isHanPoint((point = pointAt(text, end)))) end += point > 0xffff ? 2 : 1;
      out += text.slice(kept, i) + repairHan(text.slice(i, end));
      kept = i = end;
    }
    return kept === 0 ? text : out + text.slice(kept);
  }

  /** Whether some stretch of 2-4 characters sounds like a domain word that differs from it but shares a character with it. */
  function mayRepair(run: string, count: number): boolean {
    for (let i = 0; i < count; i++) {
      const limit = Math.min(4, count - i);
      for (let n = 1, node = 0; n <= limit; n++) {
        if ((node = follow(node, runSounds[i + n - 1]!)) < 0) break;
        const target = n >= 2 ? homophones.value(node) : undefined;
        if (target === undefined) continue;
        // The stretch's characters (code points i .. i + n).
        const w = run.slice(runStarts[i]!, runStarts[i + n]!);
        if (target !== w && [...w].some((c, k) => [...target][k] === c)) return true;
      }
    }
    return false;
  }

  /** Segments a toneless pinyin string into known words; null unless most of it is covered. */
  function fromPinyin(letters: string): string | null {
    const n = letters.length;
    // The best reading of letters[0, j), for each j reached: its cost (a known word costs 1, a
    // character 2, a skipped syllable 3), letters covered, single characters used, and its last
    // step (from prev[j], adding piece[j]; its text is the pieces along the way).
    const reached = new Uint8Array(n + 1);
    const cost = new Int32Array(n + 1);
    const covered = new Int32Array(n + 1);
    const singles = new Int32Array(n + 1);
    const prev = new Int32Array(n + 1);
    const piece: string[] = new Array<string>(n + 1);
    const offer = (j: number, i: number, c: number, cov: number, sing: number, p: string) => {
      if (!reached[j] || c < cost[j]!) {
        reached[j] = 1;
        cost[j] = c;
        covered[j] = cov;
        singles[j] = sing;
        prev[j] = i;
        piece[j] = p;
      }
    };
    reached[0] = 1;
    for (let i = 0; i < n; i++) {
      if (!reached[i]) continue;
      // Every known word whose pinyin key starts here, shortest first.
      for (let j = i + 1, node = 0; j <= Math.min(n, i + maxKey); j++) {
        if ((node = pinyinKeys.child(node, letters.charCodeAt(j - 1))) < 0) break;
        const w = pinyinKeys.value(node);
        if (w) offer(j, i, cost[i]! + 1, covered[i]! + (j - i), singles[i]! + (codePoints(w) === 1 ? 1 : 0), w);
      }
      // One syllable: a character the training data uses alone (cost 2), else skipped (cost 3).
      for (const m of syllablesAt(letters, i)) {
        const j = i + m.length;
        const ch = charByKey.get(m);
        if (ch) offer(j, i, cost[i]! + 2, covered[i]! + m.length, singles[i]! + 1, ch);
        else offer(j, i, cost[i]! + 3, covered[i]!, singles[i]!, '');
      }
    }
    if (!reached[n]) return null;
    let text = '';
    for (let j = n; j > 0; j = prev[j]!) text = piece[j]! + text;
    // Most of it spelled, and by at least one word of two or more characters.
    return covered[n]! >= 0.6 * n && codePoints(text) > singles[n]! ? text : null;
  }

  return {
    rewrite(text) {
      let out = repairHanRuns(text);
      if (/\p{Script=Latin}/u.test(out)) {
        out = out.replace(LATIN_RUN_RE, (run) => {
          const words = toneless(run).split(/\s+/);
          // Only whole runs of pinyin words, and at least two syllables' worth.
          if (!words.every(isPinyinWord)) return pinyinPieces(words);
          const letters = words.join('');
          if (letters.length < 4) return run;
          return fromPinyin(letters) ?? run;
        });
      }
      return out;
    },
  };

  /** A mixed run ("can i remove shiming"): convert the maximal sub-runs of pinyin words. */
  function pinyinPieces(words: string[]): string {
    const out: string[] = [];
    let buf: string[] = [];
    const flush = () => {
      if (buf.length) {
        const letters = buf.join('');
        // Inside English, only a longer pinyin stretch ("wo xiang jiechu shiming"): "data to" is English.
        out.push((buf.length >= 3 ? fromPinyin(letters) : null) ?? buf.join(' '));
        buf = [];
      }
    };
    for (const w of words) {
      if (isPinyinWord(w)) buf.push(w);
      else {
        flush();
        out.push(w);
      }
    }
    flush();
    return out.join(' ');
  }
}
