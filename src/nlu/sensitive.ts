/**
 * Personal data that users sometimes paste: ID numbers, bank card numbers,
 * phone numbers and SMS codes. Such a message gets a warning, the data is
 * removed before matching, and the text must never reach a log.
 */

export type SensitiveKind = 'id-number' | 'card-number' | 'phone-number' | 'sms-code';

// Digits may be typed with spaces or dashes in groups ("6222 0202 1234 5678").
const DIGIT_RUN_RE = /(?<![\dA-Za-z])\d(?:[ -]?\d)+(?:[ -]?[xX])?(?![\dA-Za-z])/g;
const CODE_WORD = '(?:验证码|驗證碼|校验码|校驗碼|动态码|動態碼|短信码|簡訊碼|code)';
const CODE_AFTER_RE = new RegExp(`${CODE_WORD}\\D{0,8}?(?<!\\d)(\\d{4,6})(?!\\d)`, 'gi');
const CODE_BEFORE_RE = new RegExp(`(?<!\\d)(\\d{4,6})(?!\\d)\\D{0,6}?${CODE_WORD}`, 'gi');

const ANY_DIGIT_RE = /\d/;

export interface SensitiveScan {
  kinds: SensitiveKind[];
  /** The text with every sensitive number replaced by a space. */
  redacted: string;
}

/** Finds sensitive numbers in `text` (full-width digits included). */
export function scanSensitive(text: string): SensitiveScan {
  const source = text.normalize('NFKC');
  // Every pattern holds an ASCII digit (\d without the u flag): most messages have none to look at.
  if (!ANY_DIGIT_RE.test(source)) return { kinds: [], redacted: source };
  const kinds = new Set<SensitiveKind>();
  const spans: [number, number][] = [];
  for (const m of source.matchAll(DIGIT_RUN_RE)) {
    const raw = m[0];
    const digits = raw.replace(/[ -]/g, '');
    const kind = classifyDigits(digits);
    if (kind) {
      kinds.add(kind);
      spans.push([m.index, m.index + raw.length]);
    }
  }
  for (const re of [CODE_AFTER_RE, CODE_BEFORE_RE]) {
    for (const m of source.matchAll(re)) {
      kinds.add('sms-code');
      const start = m.index + m[0].indexOf(m[1]!);
      spans.push([start, start + m[1]!.length]);
    }
  }
  if (spans.length === 0) return { kinds: [], redacted: source };
  let redacted = '';
  let at = 0;
  for (const [start, end] of spans.sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    redacted += source.slice(at, start) + ' ';
    at = end;
  }
  return { kinds: [...kinds].sort(), redacted: redacted + source.slice(at) };
}

function classifyDigits(digits: string): SensitiveKind | null {
  if (/^\d{17}[\dXx]$/.test(digits)) return 'id-number';
  if (/^\d{16,19}$/.test(digits)) return 'card-number';
  if (/^1[3-9]\d{9}$/.test(digits)) return 'phone-number';
  return null;
}
