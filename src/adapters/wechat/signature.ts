/**
 * Signatures of the Official Account message API: SHA-1 over the sorted,
 * concatenated parts. `signature` signs token, timestamp and nonce (URL
 * verification and every POST); `msg_signature` adds the <Encrypt> text.
 * https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/message-push.html
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** sha1(sort(parts).join('')) as lower-case hex. */
export function sha1Signature(...parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/**
 * Constant-time comparison of a received signature with the expected one. Both
 * sides are hashed first, so neither the content nor the length leaks.
 */
export function signatureMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The `signature` query parameter: token, timestamp and nonce. */
export const urlSignature = (token: string, timestamp: string, nonce: string): string => sha1Signature(token, timestamp, nonce);

/** The `msg_signature` of security mode: token, timestamp, nonce and the <Encrypt> text. */
export const messageSignature = (token: string, timestamp: string, nonce: string, encrypted: string): string =>
  sha1Signature(token, timestamp, nonce, encrypted);
