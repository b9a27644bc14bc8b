/**
 * Message encryption of security and compatibility modes (安全模式 / 兼容模式).
 *
 * AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16
 * bytes, PKCS#7 padding to 32-byte blocks (Node's built-in padding pads to 16
 * and throws on pad values 17-32, so it is switched off), and the plaintext
 * laid out as 16 random bytes ‖ 4-byte big-endian length ‖ XML ‖ AppID.
 * https://developers.weixin.qq.com/doc/oplatform/en/Third-party_Platforms/Message_Encryption/Technical_Plan.html
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The block size WeChat pads to: the key length, not AES's 16. */
export const PAD_BLOCK = 32;

export type WechatCryptoFailure = 'bad-key' | 'bad-ciphertext' | 'bad-padding' | 'bad-layout' | 'wrong-appid';

/** A message that cannot be decrypted, or a key that cannot be used; `reason` says which. */
export class WechatCryptoError extends Error {
  override name = 'WechatCryptoError';
  constructor(readonly reason: WechatCryptoFailure) {
    super(`WeChat message crypto: ${reason}`);
  }
}

/** The 32-byte AES key of a 43-character EncodingAESKey. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) throw new WechatCryptoError('bad-key');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WechatCryptoError('bad-key');
  return key;
}

/** PKCS#7 padding to a multiple of `block` bytes (1..block bytes of value n are added). */
export function pkcs7Pad(data: Buffer, block = PAD_BLOCK): Buffer {
  const n = block - (data.length % block);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

/** Removes PKCS#7 padding; a pad value outside 1..block or inconsistent pad bytes is an error. */
export function pkcs7Unpad(data: Buffer, block = PAD_BLOCK): Buffer {
  const n = data.length ? data[data.length - 1]! : 0;
  if (n < 1 || n > block || n > data.length) throw new WechatCryptoError('bad-padding');
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) throw new WechatCryptoError('bad-padding');
  return data.subarray(0, data.length - n);
}

/** Encrypts a reply: returns the base64 text for <Encrypt>. `random` is fixed only in tests. */
export function encryptMessage(key: Buffer, appId: string, xml: string, random: Buffer = randomBytes(16)): string {
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = pkcs7Pad(Buffer.concat([random.subarray(0, 16), length, body, Buffer.from(appId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** Decrypts <Encrypt> text and checks the trailing AppID; returns the inner XML. */
export function decryptMessage(key: Buffer, encrypted: string, appId: string): string {
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new WechatCryptoError('bad-ciphertext');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  let plain: Buffer;
  try {
    plain = pkcs7Unpad(Buffer.concat([decipher.update(data), decipher.final()]));
  } catch (err) {
    throw err instanceof WechatCryptoError ? err : new WechatCryptoError('bad-ciphertext');
  }
  if (plain.length < 20) throw new WechatCryptoError('bad-layout');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new WechatCryptoError('bad-layout');
  const xml = plain.subarray(20, 20 + length).toString('utf8');
  if (plain.subarray(20 + length).toString('utf8') !== appId) throw new WechatCryptoError('wrong-appid');
  return xml;
}

/**
 * Tries each key in turn (the current EncodingAESKey, then the previous one
 * during a rotation). Returns the XML and the key that worked, so the reply is
 * encrypted with the same key; throws the current key's failure otherwise.
 */
export function decryptWithKeys(keys: readonly Buffer[], encrypted: string, appId: string): { xml: string; key: Buffer } {
  let first: unknown;
  for (const key of keys) {
    try {
      return { xml: decryptMessage(key, encrypted, appId), key };
    } catch (err) {
      first ??= err;
    }
  }
  throw first ?? new WechatCryptoError('bad-key');
}
