import { describe, it, expect } from 'vitest';
import { pinyin } from 'pinyin-pro';
import { createPinyinConverter, type PinyinConverter } from '../../src/nlu/pinyin.js';
import { compileLexicon } from '../../src/nlu/lexicon.js';
import { createSegmenter } from '../../src/nlu/segment.js';
import { analyse } from '../../src/nlu/normalize.js';
import { realKnowledge } from '../helpers.js';

// The converter walks tries of words and pinyin keys instead of trying every stretch of a text:
// it must rewrite every text exactly as the straightforward scan below (the earlier implementation) does.
describe('pinyin rewriting with tries', () => {
  it('gives what the straightforward scan gives, on training lines, their typos and their pinyin', () => {
    const kb = realKnowledge();
    const lexicon = compileLexicon(kb.lexicon);
    const segmenter = createSegmenter(lexicon.hanForms);
    const lines = [...kb.topics.flatMap((t) => [...t.utterances, ...t.refusals]), ...kb.smalltalk.flatMap((s) => s.utterances), ...kb.offTopic].map(
      (t) => lexicon.canonical(analyse(t).normalized),
    );
    const known = new Set<string>();
    const chars = new Map<string, number>();
    for (const line of lines) {
      for (const tok of segmenter.cut(line)) {
        if (/^\p{Script=Han}{2,}$/u.test(tok.text)) known.add(tok.text);
        else if (/^\p{Script=Han}$/u.test(tok.text)) chars.set(tok.text, (chars.get(tok.text) ?? 0) + 1);
      }
    }
    const options = {
      domainWords: lexicon.hanForms,
      knownWords: [...known].sort(),
      knownChars: [...chars].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c]) => c),
    };
    const fast = createPinyinConverter(options);
    const reference = referenceConverter(options);
    const typos: [string, string][] = [['实名', '实明'], ['注销', '注消'], ['微信', '威信'], ['账号', '帐号'], ['身份证', '身分证'], ['解除', '接触']];
    const texts = lines.flatMap((line, i) => {
      const spelled = pinyin(line, { toneType: 'none', v: true });
      return [
        line,
        typos.reduce((t, [from, to]) => t.replaceAll(from, to), line),
        spelled,
        spelled.replace(/\s+/g, ''),
        i % 3 === 0 ? `can i ${spelled} ok` : `${line} ${spelled.split(' ').slice(0, 4).join(' ')}`,
      ];
    });
    let differ = 0;
    for (const text of texts) if (fast.rewrite(text) !== reference.rewrite(text)) differ++;
    expect(differ).toBe(0);
    expect(texts.length).toBeGreaterThan(10_000);
  });
});

// --- the earlier implementation, kept as the reference ---
const HAN_RUN_RE = /\p{Script=Han}+/gu;
const LATIN_RUN_RE = /[\p{Script=Latin}\p{M}\d]+(?:\s+[\p{Script=Latin}\p{M}\d]+)*/gu;
// A pinyin syllable (toneless, v or ü for ü), so English words are left alone.
const SYLLABLE =
  "(?:(?:[bpmfdtnlgkhjqxzcsryw]|zh|ch|sh)(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|üan|ai|ei|ao|ou|an|en|er|in|un|vn|ün|ia|ie|iu|ua|uo|ui|ve|üe|a|o|e|i|u|v|ü)|ang|eng|ai|ei|ao|ou|an|en|er|a|o|e)";
const PINYIN_WORD_RE = new RegExp(`^(?:${SYLLABLE})+$`, 'u');

const SYLLABLE_AT_RE = new RegExp(`^${SYLLABLE}`, 'u');
/** The syllables that can start at `i` (longest first, and shorter ones: "xian" and "xi"+"an"). */
function syllablesAt(letters: string, i: number): string[] {
  const out: string[] = [];
  const rest = letters.slice(i, i + 6);
  for (let n = rest.length; n >= 1; n--) {
    const piece = rest.slice(0, n);
    const m = SYLLABLE_AT_RE.exec(piece);
    if (m && m[0].length === n) out.push(piece);
  }
  return out;
}

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

/** Strips tone marks and tone numbers from Latin text: "shí míng", "shi2ming2" -> "shi ming", "shiming". */
const toneless = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, (m) => (m === '\u0308' ? '\u0308' : ''))
    .normalize('NFC')
    .replace(/ü/g, 'v')
    .replace(/([a-z])[1-5]/g, '$1');

interface PinyinOptions {
  /** Targets of homophone repair: curated domain words (lexicon forms). */
  domainWords: readonly string[];
  /** Words pinyin text may be rewritten to (domain words come first). */
  knownWords: readonly string[];
  /** Single characters pinyin syllables may be rewritten to, most likely first (不 for "bu"). */
  knownChars?: readonly string[];
}

function referenceConverter({ domainWords, knownWords, knownChars = [] }: PinyinOptions): PinyinConverter {
  const multi = (w: string) => [...w].length >= 2 && [...w].length <= 5 && /^\p{Script=Han}+$/u.test(w);
  const domain = domainWords.filter(multi);
  const homophone = new Map<string, string>();
  for (const w of domain) if (!homophone.has(keyOf(w))) homophone.set(keyOf(w), w);
  const firstSounds = new Set([...homophone.values()].map((w) => charPinyin([...w][0]!)));
  const known = new Set<string>([...domain, ...knownWords.filter(multi)]);
  const domainSet = new Set(domain);
  // Pinyin key -> word, for pinyin input. Whole-word readings too, where pinyin-pro knows a better one (还款 huankuan).
  const byKey = new Map<string, string>();
  // Single-character domain words too ("gai" 改, "cha" 查), but only those: a lone syllable says little.
  const single = domainWords.filter((w) => /^\p{Script=Han}$/u.test(w));
  for (const w of [...domain, ...single, ...knownWords.filter(multi)]) if (!byKey.has(keyOf(w))) byKey.set(keyOf(w), w);
  // Whole-word readings of the domain words, where pinyin-pro knows better than character by character (还款 huankuan).
  for (const w of domain) {
    const k = pinyin(w, { toneType: 'none', v: true }).replace(/\s+/g, '');
    if (!byKey.has(k)) byKey.set(k, w);
  }
  const charByKey = new Map<string, string>();
  for (const c of knownChars) if (!charByKey.has(charPinyin(c))) charByKey.set(charPinyin(c), c);
  const maxKey = Math.max(0, ...[...byKey.keys()].map((k) => k.length));

  function repairHan(run: string): string {
    const chars = [...run];
    // A run with no character of a homophone's sound cannot hold a typo of a domain word.
    const sounds = chars.map(charPinyin);
    if (!sounds.some((p) => firstSounds.has(p))) return run;
    let out = '';
    for (let i = 0; i < chars.length; ) {
      let step = 0;
      for (let n = Math.min(4, chars.length - i); n >= 2 && !step; n--) {
        const w = chars.slice(i, i + n).join('');
        const target = homophone.get(sounds.slice(i, i + n).join(''));
        // A domain word is never "repaired" into another (卖号 is not 买号); a training word only when it
        // sounds like a domain word (注消 is a typo of 注销 even where a training line has it).
        if (domainSet.has(w) || (known.has(w) && (!target || target === w))) {
          out += w;
          step = n;
          continue;
        }
        // A typo keeps at least one character of the word (实明 ~ 实名; 好吗 is not 号码), and is no
        // part of a domain word written right: one starting inside the stretch and ending after it.
        const overlaps = Array.from({ length: n - 1 }, (_, k) => i + 1 + k).some((j) =>
          domain.some((d) => [...d].length > i + n - j && chars.slice(j, j + [...d].length).join('') === d),
        );
        if (target && [...w].some((c, k) => [...target][k] === c) && !overlaps) {
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

  /** Segments a toneless pinyin string into known words; null unless most of it is covered. */
  function fromPinyin(letters: string): string | null {
    const n = letters.length;
    // best[i]: [cost, text] for letters[0, i); a known word costs 1, a skipped syllable 3.
    const best: ({ cost: number; text: string; covered: number; singles: number } | null)[] = new Array(n + 1).fill(null);
    best[0] = { cost: 0, text: '', covered: 0, singles: 0 };
    for (let i = 0; i < n; i++) {
      const here = best[i];
      if (!here) continue;
      for (let j = i + 1; j <= Math.min(n, i + maxKey); j++) {
        const w = byKey.get(letters.slice(i, j));
        if (w) {
          const c = { cost: here.cost + 1, text: here.text + w, covered: here.covered + (j - i), singles: here.singles + ([...w].length === 1 ? 1 : 0) };
          if (!best[j] || c.cost < best[j]!.cost) best[j] = c;
        }
      }
      // One syllable: a character the training data uses alone (cost 2), else skipped (cost 3).
      for (const m of syllablesAt(letters, i)) {
        const j = i + m.length;
        const ch = charByKey.get(m);
        const c = ch
          ? { cost: here.cost + 2, text: here.text + ch, covered: here.covered + m.length, singles: here.singles + 1 }
          : { cost: here.cost + 3, text: here.text, covered: here.covered, singles: here.singles };
        if (!best[j] || c.cost < best[j]!.cost) best[j] = c;
      }
    }
    const end = best[n];
    // Most of it spelled, and by at least one word of two or more characters.
    return end && end.covered >= 0.6 * n && [...end.text].length > end.singles ? end.text : null;
  }

  return {
    rewrite(text) {
      let out = HAN_RUN_RE.test(text) ? text.replace(HAN_RUN_RE, repairHan) : text;
      if (/\p{Script=Latin}/u.test(out)) {
        out = out.replace(LATIN_RUN_RE, (run) => {
          const words = toneless(run).split(/\s+/);
          // Only whole runs of pinyin words, and at least two syllables' worth.
          if (!words.every((w) => PINYIN_WORD_RE.test(w))) return pinyinPieces(words);
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
      if (PINYIN_WORD_RE.test(w)) buf.push(w);
      else {
        flush();
        out.push(w);
      }
    }
    flush();
    return out.join(' ');
  }
}
