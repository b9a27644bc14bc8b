/**
 * Dialogue cues a message carries besides its content, read before filler
 * words are dropped: a leading 那/那么/换成 (it continues the last answer), a
 * trailing 呢 (a question about the same thing), a rejection or correction
 * (不是这个 / 不对,我是说…), and an ordinal choice ("2", "第二个").
 */

export interface Cues {
  /** Starts with a linking word ("那…呢", "换成…", "如果是…"): an elliptical turn. */
  linking: boolean;
  /** Ends with 呢 (after punctuation is dropped). */
  trailingNe: boolean;
  /** Says the last answer was wrong, with nothing else ("不是这个"). */
  reject: boolean;
  /** A correction with content ("不对,我是说换成我妈的身份证"): the corrected part, else null. */
  correction: string | null;
}

const LINKING_RE = /^(?:那么|那如果|那要是|那换成|那改成|那|换成|改成|如果是|要是|假如是|如果换成|what about|and if|how about)\s*/u;
// 那个/那些/那里 mean "that", not "then".
const NOT_LINKING_RE = /^那(?:个|些|里|边|天|时|样|种|次|位|张)/u;
const CORRECTION_HEAD = '(?:不对|不是|错了|说错了|我说错了|搞错了|你理解错了|理解错了|不是这个意思|我不是这个意思|我不是问这个|我问的不是这个|不是这个|no|sorry)(?:啊|呀|哦|的)?';
const CORRECTION_TAIL = '(?:我是说|我是想|我想问的是|我想问|我问的是|是说|是想问|是想|其实是|我的意思是|应该是|i mean)';
/** "不对, 我是说…" / "我说错了 是…" / "我的意思是…": the head needs a pause or a "我是说" after it ("不是本人的" is no correction). */
const CORRECTION_RE = new RegExp(`^(?:${CORRECTION_HEAD}(?:\\s+|(?=${CORRECTION_TAIL}))(?:${CORRECTION_TAIL})?\\s*(?:是)?|${CORRECTION_TAIL}\\s*)`, 'u');

/**
 * `clean` is the message after NFKC, Simplified conversion, lower case and
 * punctuation to spaces, before filler words are dropped. `rejectPhrases` are
 * the curated bare rejections (intents/_control.yaml), normalised.
 */
export function readCues(clean: string, rejectPhrases: readonly string[]): Cues {
  const text = clean.trim();
  const compact = text.replace(/\s+/g, '');
  const reject = rejectPhrases.some((p) => compact === p || (compact.startsWith(p) && [...compact].length - [...p].length <= 2));
  let correction: string | null = null;
  if (!reject) {
    const m = CORRECTION_RE.exec(text);
    // Only when something substantial follows, and it is not "不是吗" / "不对吗".
    if (m && m[0].trim()) {
      const rest = text.slice(m[0].length).trim();
      if ([...rest.replace(/\s/g, '')].length >= 3 && !/^[吗呢吧]/.test(rest)) correction = rest;
    }
  }
  return {
    linking: LINKING_RE.test(text) && !NOT_LINKING_RE.test(text),
    trailingNe: /呢\s*$/.test(text),
    reject,
    correction,
  };
}
