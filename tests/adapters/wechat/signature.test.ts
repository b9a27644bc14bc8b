/** Signatures: the official vectors of the URL check, msg_signature, constant-time comparison. */
import { describe, it, expect } from 'vitest';
import { messageSignature, sha1Signature, signatureMatches, urlSignature } from '../../../src/adapters/wechat/signature.js';

describe('urlSignature', () => {
  // Token AAAAA; developers.weixin.qq.com (oplatform message_push and subscription encryption pages).
  it.each([
    ['1714036504', '1514711492', 'f464b24fc39322e44b38aa78f5edd27bd1441696'],
    ['1714037059', '486452656', '899cf89e464efb63f54ddac96b0a0a235f53aa78'],
  ])('matches the official vector (timestamp %s)', (timestamp, nonce, expected) => {
    expect(urlSignature('AAAAA', timestamp, nonce)).toBe(expected);
  });

  it('sorts the parts as strings before hashing (order of arguments does not matter)', () => {
    expect(sha1Signature('b', 'a', 'c')).toBe(sha1Signature('c', 'b', 'a'));
    // String order, not numeric: "10" sorts before "9".
    expect(sha1Signature('9', '10')).toBe(sha1Signature('10', '9'));
  });
});

describe('messageSignature', () => {
  it('matches the wechatpy vector (token 123456, over the Encrypt text)', () => {
    const encrypt =
      'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=';
    expect(messageSignature('123456', '1411525903', '461056294', encrypt)).toBe('74d92dfeb87ba7c714f89d98870ae5eb62dff26d');
  });
});

describe('signatureMatches', () => {
  const good = urlSignature('AAAAA', '1714036504', '1514711492');
  it('accepts the same signature only', () => {
    expect(signatureMatches(good, good)).toBe(true);
    expect(signatureMatches(good.toUpperCase(), good)).toBe(false);
    expect(signatureMatches(good.slice(0, -1) + '0', good)).toBe(false);
  });
  it('refuses missing, empty, repeated or non-string values', () => {
    for (const bad of [undefined, null, '', [good], 42]) expect(signatureMatches(bad, good)).toBe(false);
  });
});
