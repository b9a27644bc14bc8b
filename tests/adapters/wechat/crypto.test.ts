/** Security-mode crypto: the wechatpy vectors, 32-byte PKCS#7, the layout and the AppID check. */
import { describe, it, expect } from 'vitest';
import { createCipheriv } from 'node:crypto';
import {
  aesKeyOf,
  decryptMessage,
  decryptWithKeys,
  encryptMessage,
  pkcs7Pad,
  pkcs7Unpad,
  WechatCryptoError,
} from '../../../src/adapters/wechat/crypto.js';
import { messageSignature } from '../../../src/adapters/wechat/signature.js';

// wechatpy tests/test_crypto.py (the WeCom variant of the same algorithm; the id is the CorpID).
const ENCODING_AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const ID = 'wx49f0ab532d5d035a';
const KEY = aesKeyOf(ENCODING_AES_KEY);
const DECRYPT_VECTOR =
  'RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=';
const ENCRYPT_EXPECTED =
  '9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3';
const REPLY = `<xml>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[test]]></Content>
<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
<ToUserName><![CDATA[messense]]></ToUserName>
<AgentID>1</AgentID>
<CreateTime>1411525903</CreateTime>
</xml>`;

const fail = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return err instanceof WechatCryptoError ? err.reason : `other: ${String(err)}`;
  }
  return 'no error';
};

describe('aesKeyOf', () => {
  it('decodes the 43-character EncodingAESKey plus "=" to 32 bytes', () => {
    expect(KEY.length).toBe(32);
  });
  it('refuses a key of the wrong length or alphabet', () => {
    expect(fail(() => aesKeyOf(ENCODING_AES_KEY.slice(1)))).toBe('bad-key');
    expect(fail(() => aesKeyOf(ENCODING_AES_KEY.slice(1) + '+'))).toBe('bad-key');
  });
});

describe('PKCS#7 with 32-byte blocks', () => {
  it('pads to a multiple of 32 with 1..32 bytes of the pad length', () => {
    for (const n of [0, 1, 15, 16, 17, 31, 32, 33, 63]) {
      const padded = pkcs7Pad(Buffer.alloc(n, 0x61));
      expect(padded.length % 32).toBe(0);
      const pad = 32 - (n % 32);
      expect(padded.length - n).toBe(pad);
      expect([...padded.subarray(n)].every((b) => b === pad)).toBe(true);
      expect(pkcs7Unpad(padded).equals(Buffer.alloc(n, 0x61))).toBe(true);
    }
  });
  it('uses pad values 17..32, which a 16-byte PKCS#7 (Node auto padding) would refuse', () => {
    expect(pkcs7Pad(Buffer.alloc(10)).at(-1)).toBe(22);
    expect(pkcs7Pad(Buffer.alloc(32)).at(-1)).toBe(32);
  });
  it('refuses pad 0, pad over 32 and inconsistent pad bytes', () => {
    expect(fail(() => pkcs7Unpad(Buffer.concat([Buffer.alloc(31, 1), Buffer.from([0])])))).toBe('bad-padding');
    expect(fail(() => pkcs7Unpad(Buffer.alloc(64, 33)))).toBe('bad-padding');
    expect(fail(() => pkcs7Unpad(Buffer.concat([Buffer.alloc(30, 9), Buffer.from([2, 3])])))).toBe('bad-padding');
  });
});

describe('decryptMessage', () => {
  it('decrypts the wechatpy vector and checks the id', () => {
    const xml = decryptMessage(KEY, DECRYPT_VECTOR, ID);
    expect(xml).toContain('<Content><![CDATA[test]]></Content>');
    expect(xml).toContain('<FromUserName><![CDATA[messense]]></FromUserName>');
    expect(Buffer.byteLength(xml)).toBe(281);
  });
  it('refuses a message for another AppID', () => {
    expect(fail(() => decryptMessage(KEY, DECRYPT_VECTOR, 'wx0000000000000000'))).toBe('wrong-appid');
  });
  it('refuses ciphertext that is not whole AES blocks, and garbage', () => {
    expect(fail(() => decryptMessage(KEY, Buffer.alloc(20).toString('base64'), ID))).toBe('bad-ciphertext');
    expect(fail(() => decryptMessage(KEY, '', ID))).toBe('bad-ciphertext');
    const other = aesKeyOf('A'.repeat(43));
    expect(['bad-padding', 'bad-layout', 'wrong-appid']).toContain(fail(() => decryptMessage(other, DECRYPT_VECTOR, ID)));
  });
  it('refuses a declared length past the end', () => {
    const plain = pkcs7Pad(Buffer.concat([Buffer.alloc(16), Buffer.from([0, 0, 1, 0]), Buffer.from('<xml/>')]));
    const cipher = createCipheriv('aes-256-cbc', KEY, KEY.subarray(0, 16)).setAutoPadding(false);
    const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
    expect(fail(() => decryptMessage(KEY, encrypted, ID))).toBe('bad-layout');
  });
});

describe('encryptMessage', () => {
  it('reproduces the wechatpy vector with the random bytes fixed, and its MsgSignature', () => {
    const encrypted = encryptMessage(KEY, ID, REPLY, Buffer.from('1234567890123456'));
    expect(encrypted).toBe(ENCRYPT_EXPECTED);
    expect(messageSignature('123456', '1411525903', '461056294', encrypted)).toBe('407518b7649e86ef23978113f92d27afa9296533');
  });
  it('round-trips UTF-8 text with a random prefix', () => {
    const xml = '<xml><Content><![CDATA[微信怎么解除实名认证 😀]]></Content></xml>';
    const a = encryptMessage(KEY, ID, xml);
    expect(a).not.toBe(encryptMessage(KEY, ID, xml));
    expect(decryptMessage(KEY, a, ID)).toBe(xml);
  });
});

describe('decryptWithKeys (key rotation)', () => {
  const previous = aesKeyOf('B'.repeat(42) + 'C');
  it('accepts a message encrypted with the previous key and says which key worked', () => {
    const encrypted = encryptMessage(previous, ID, '<xml/>');
    const { xml, key } = decryptWithKeys([KEY, previous], encrypted, ID);
    expect(xml).toBe('<xml/>');
    expect(key.equals(previous)).toBe(true);
  });
  it("fails with the current key's reason when no key fits", () => {
    expect(fail(() => decryptWithKeys([KEY, previous], DECRYPT_VECTOR, 'wx1111111111111111'))).toBe('wrong-appid');
  });
});
