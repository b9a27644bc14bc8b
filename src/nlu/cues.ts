/**
 * Dialogue cues a message carries besides its content, read before filler
 * words are dropped: a leading 那/那么/换成 (it continues the last answer), a
 * trailing 呢 (a question about the same thing), a rejection or correction
 * (不是这个 / 不对,我是说…), and an ordinal choice ("2", "第二个").
 */

export interface Cues {
  /** Starts with a linking word ("那…呢", "换成…", "如果是…"): an elliptical turn. */
  linking: boolean;
  /** The linking word itself ("换成"), so it is not read as content; '' without one. */
  linkingWord: string;
  /** Ends with 呢 (after punctuation is dropped). */
  trailingNe: boolean;
  /** Says the last answer was wrong, with nothing else ("不是这个"). */
  reject: boolean;
  /** A correction with content ("不对,我是说换成我妈的身份证"): the corrected part, else null. */
  correction: string | null;
  /** What a correction says was not meant ("不是微粒贷 是分付": 微粒贷), else null. */
  rejected: string | null;
  /** Points back at what was just said (这样, 那个号, 他, it): read against the live topic. */
  anaphora: boolean;
  /** Starts a new matter ("另外", "顺便问一下", "by the way"): the live topic is not favoured. */
  shift: boolean;
  /**
   * The words before the question that are no content: shift words and courtesies ("谢谢,另外…",
   * "你好 …", "ok so …"), in the order written; '' without them.
   */
  lead: string;
  /** Courtesies after the question ("…怎么解除?谢谢了", "… thanks"); '' without them. */
  tail: string;
  /** Courtesies and shift words, and nothing else ("问一下", "你好 在吗", "帮帮我"). */
  bare: boolean;
}

const SHIFT = '算了|另外再问一下|另外问一下|另外|说到这个|说到这里|说到这儿|说起这个|话说回来|话说|我还想问一下|我还想问|还想问一下|还想问|问个别的|还有个问题|还有一个问题|还有一件事|顺便问一下|顺便问下|顺便问问|顺便问|顺便|换个问题|换个话题|再问一个|再问个问题|再问一下|对了|by the way|btw|another question|on another note|also';
/** Forms of address to the bot, said around a question or a thanks (「谢谢你啊小同志」, 「帅哥 注销微信要多久」). */
const ADDRESS = '小同志|同志|小伙子|小姑娘|靓仔|靓女|帅哥|美女|小哥哥|小哥|小姐姐|老铁|mate|buddy|bro|dude|pal';
const COURTESY =
  `${ADDRESS}|` +
  '就这样吧|客服你好|客服您好|你好客服|您好客服|老师好|老师你好|大家好|你好|您好|亲|不好意思|抱歉|在吗|在不在|打扰一下|打扰了|请教一下|请问一下|请问|问一下|想问一下|我想问一下|想问下|我想问下|谢谢你|谢谢|谢了|多谢|好的|好吧|明白了|明白|清楚了|懂了|知道了|了解了|收到|还有|急死我了|急死人了|急死了|烦死了|气死了|愁死了|嗯嗯|嗯|哦哦|哦|噢|哈喽|唔该晒|唔该|多谢晒|thank you so much|thank you very much|thanks so much|thanks a lot|thanks a bunch|many thanks|much appreciated|appreciate it|hello there|hi there|good morning|good afternoon|good evening|hello|hi|hey|thanks|thank you|thank u|cheers|ty|that was helpful|that helped|that helps|very helpful|帮大忙了|ok|okay|alright|i see|got it';
const TAIL_COURTESY =
  `(?:啊|呀|哈)?(?:${ADDRESS})|` +
  '谢谢你了|谢谢你|谢谢了|谢谢啦|谢谢|谢了|多谢了|多谢|麻烦你了|麻烦了|麻烦大家了|拜托了|求解答|求回复|求帮忙|求助|帮帮忙|帮帮我|在线等|急急急|急死我了|急死人了|急死了|烦死了|气死了|愁死了|急|唔该晒|唔该|多谢晒|thank you so much|thank you very much|thanks so much|thanks a lot|thanks a bunch|many thanks|much appreciated|appreciate it|thank you|thank u|thanks|thx|cheers|ty|that was helpful|that helped|that helps|very helpful|帮大忙了|please help|help please|help me|please|pls|plz';
const SHIFT_ANY_RE = new RegExp(`(?:${SHIFT})`, 'u');
const TAIL_RE = new RegExp(`(?:(?<![a-z])(?:${TAIL_COURTESY})\\s*)+$`, 'u');
const LEAD_RE = new RegExp(`^(?:(?:${SHIFT}|${COURTESY})(?![a-z])\\s*)+`, 'u');

const LINKING_RE = /^(?:那么|那如果|那要是|那换成|那改成|那|咁(?!耐|多|样|久)|换成|改成|如果是|要是|假如是|如果换成|and what about|what about|and if|what if|how about)\s*/u;
// 那个/那些/那里 mean "that", not "then".
const NOT_LINKING_RE = /^那(?:个|些|里|边|天|时|样|种|次|位|张)/u;
const CORRECTION_HEAD = '(?:不对|不是|错了|说错了|我说错了|搞错了|你理解错了|理解错了|不是这个意思|我不是这个意思|我不是问这个|我问的不是这个|不是这个|wait no|no wait|nope|no|sorry|oops|my bad)(?:啊|呀|哦|的)?';
const CORRECTION_TAIL = '(?:我意思是|我的意思是说|我说的是|我问的是|我是问|我是说|我是想|我想问的是|我想问|是说|是想问|是想|是问|其实是|我的意思是|应该是|i meant|i mean)';
/** Heads that correct whatever follows them, with or without a pause ("我说错了没被盗是…", typed or dictated without commas). */
const CORRECTION_CLEAR_HEAD = '(?:我说错了|说错了|我搞错了|搞错了|你理解错了|理解错了|我不是这个意思|不是这个意思|不对不对|不是不是)(?:啊|呀|哦)?';
/** "不对, 我是说…" / "我说错了 是…" / "no sorry, i mean …": other heads need a pause or a "我是说" after them ("不是本人的" is no correction). */
const CORRECTION_RE = new RegExp(
  `^(?:(?:${CORRECTION_HEAD})+(?:\\s+|(?=${CORRECTION_TAIL})))+(?:${CORRECTION_TAIL})?\\s*(?:是)?|^${CORRECTION_CLEAR_HEAD}\\s*(?:${CORRECTION_TAIL})?\\s*(?:是)?|^${CORRECTION_TAIL}\\s*`,
  'u',
);
/** "不是微信 我说的是支付宝", "不是问小孩 是我自己要实名": what is rejected, then what is meant. */
const NOT_X_BUT_Y_RE = new RegExp(`^不是(?!本人|我本人|自己)(.{1,14}?)\\s*(?:${CORRECTION_TAIL}|而是|是)\\s*(.+)$`, 'u');
/**
 * "i dont want to delete the whole account, just the payment part", "不想注销整个号 只想关支付": what is not
 * wanted, then what is (only that).
 */
const NOT_WANTED_BUT_RE = /^(?:i\s+)?(?:don'?t|don\s+t|do\s+not)\s+want\s+(?:to\s+)?(.{2,40}?)\s*(?:,\s*)?(?:but\s+)?(?:just|only)\s+(.+)$|^我?不(?:想|要|是要|是想)(.{1,14}?)\s*(?:只是想|只想|就想|只要|只是)(.+)$/u;
/** Inside a correction, the part after its last "我是说…" is what is meant. */
const LAST_TAIL_RE = new RegExp(`(?:^|\\s)(?:${CORRECTION_TAIL})\\s*([^\\s].*)$`, 'u');

/** A rejection after what is meant: "(是微信的) 不是支付宝", "(,)而不是改" (not the 不是 of 是不是), "…, not alipay". */
const TRAILING_NOT_RE = /\s*(?:(?:而|并)?(?<!是)不是)\s*[^\s]{1,8}$|\s+(?:and\s+|but\s+)?not\s+[a-z]+(?:\s+[a-z]+){0,2}$/u;

const ANAPHORA_RE = /这样|这么做|这件事|那件事|这事|那事|此事|这个|那个|这些|那些|这几个|那几个|这种|那种|那边|这边|[他她它]|\b(?:it|that|this|they|them|he|she|his|her)\b/u;
/** The same words, each occurrence (for their spans in a parse's text). */
export const ANAPHORA_ALL_RE = new RegExp(ANAPHORA_RE.source, 'gu');

/**
 * `clean` is the message after NFKC, Simplified conversion, lower case and
 * punctuation to spaces, before filler words are dropped. `rejectPhrases` are
 * the curated bare rejections (intents/_control.yaml), normalised.
 */
export function readCues(clean: string, rejectPhrases: readonly string[]): Cues {
  const whole = clean.trim();
  const lead = LEAD_RE.exec(whole)?.[0].trim() ?? '';
  const tail = TAIL_RE.exec(whole.slice(lead.length))?.[0].trim() ?? '';
  // The other cues are read on the question itself: "谢谢,那微信的呢" links, "…能撤销吗 谢谢" ends in 吗.
  const body = whole.slice(lead.length, whole.length - tail.length).trim();
  const text = body || whole;
  const compact = text.replace(/\s+/g, '');
  const reject = rejectPhrases.some((p) => compact === p || (compact.startsWith(p) && [...compact].length - [...p].length <= 2));
  let correction: string | null = null;
  let rejected: string | null = null;
  // (Courtesies alone correct nothing: "我想问一下" is no "我想问 + 一下".)
  if (!reject && body) {
    const m = CORRECTION_RE.exec(text);
    let rest: string | null = m && m[0].trim() ? text.slice(m[0].length).trim() : null;
    const notXbutY = NOT_X_BUT_Y_RE.exec(rest ?? text);
    if (notXbutY) {
      rest = notXbutY[2]!.trim();
      rejected = notXbutY[1]!.trim() || null;
    }
    const notWanted = rest ? NOT_WANTED_BUT_RE.exec(rest) : null;
    if (notWanted) {
      rejected = (notWanted[1] ?? notWanted[3])!.trim() || null;
      rest = (notWanted[2] ?? notWanted[4])!.trim();
    }
    const last = rest ? LAST_TAIL_RE.exec(rest) : null;
    if (last) rest = last[1]!.trim();
    // "是微信的,不是支付宝", "…怎么解除 不是改": what follows the meant part only repeats the rejection.
    if (rest) {
      const trailing = TRAILING_NOT_RE.exec(rest);
      if (trailing && trailing.index > 0) rest = rest.slice(0, trailing.index).trim();
    }
    // Only when something substantial follows, and it is not "不是吗" / "不对吗".
    if (rest && [...rest.replace(/\s/g, '')].length >= 2 && !/^[吗呢吧]/.test(rest)) correction = rest;
    else rejected = null;
  }
  const linking = LINKING_RE.exec(text);
  // "那谢谢啦", "那就这样吧": a linking word before courtesies alone links nothing; the courtesies are the message.
  const linkingWhole = LINKING_RE.exec(whole);
  const after = linkingWhole ? whole.slice(linkingWhole[0].length).trim() : '';
  const onlyCourtesy = !!after && (LEAD_RE.exec(after)?.[0].trim() === after || TAIL_RE.exec(after)?.[0].trim() === after);
  if (onlyCourtesy) {
    return { shift: false, lead: '', tail: '', bare: true, linking: false, linkingWord: '', trailingNe: false, anaphora: false, reject: false, correction: null, rejected: null };
  }
  return {
    shift: SHIFT_ANY_RE.test(lead),
    lead: body ? lead : '',
    tail: body ? tail : '',
    bare: !body && !!(lead || tail),
    linking: !!linking && !NOT_LINKING_RE.test(text),
    linkingWord: linking && !NOT_LINKING_RE.test(text) ? linking[0].trim() : '',
    trailingNe: /呢\s*$/.test(text),
    anaphora: ANAPHORA_RE.test(text),
    reject,
    correction,
    rejected,
  };
}
