/**
 * A local stand-in for WeChat's servers: posts signed messages to the bot as
 * WeChat would, in plaintext, compatibility or security mode, and checks and
 * decrypts what comes back. Its crypto is written here from the protocol
 * description, apart from the code under test.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { XMLParser } from 'fast-xml-parser';

export type Mode = 'plaintext' | 'compatibility' | 'security';

export interface SimulatorOptions {
  /** http://127.0.0.1:<port>/wechat */
  url: string;
  token: string;
  mode: Mode;
  appId?: string;
  /** The 43-character EncodingAESKey the simulated account encrypts with. */
  encodingAesKey?: string;
  /** The account's original id (gh_…). */
  account?: string;
}

export interface Posted {
  status: number;
  /** The body as received. */
  raw: string;
  /** The reply's fields (decrypted in encrypted modes); null for "success", an empty body or an error. */
  reply: Record<string, string> | null;
}

const sha1 = (...parts: string[]) => createHash('sha1').update([...parts].sort().join('')).digest('hex');
const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
const xmlOf = (fields: Record<string, string | number>) =>
  `<xml>${Object.entries(fields)
    .map(([k, v]) => (typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}>${cdata(v)}</${k}>`))
    .join('')}</xml>`;
const readXml = (xml: string): Record<string, string> => {
  const doc = new XMLParser({ processEntities: false, parseTagValue: false, ignoreDeclaration: true }).parse(xml) as { xml?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(doc.xml ?? {}).map(([k, v]) => [k, String(v)]));
};

/** WeChat's message encryption, from the technical plan: random16 ‖ len ‖ xml ‖ appid, 32-byte PKCS#7. */
export function wechatEncrypt(encodingAesKey: string, appId: string, xml: string): string {
  const key = Buffer.from(encodingAesKey + '=', 'base64');
  const body = Buffer.from(xml);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), len, body, Buffer.from(appId)]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

export function wechatDecrypt(encodingAesKey: string, encrypted: string): { xml: string; appId: string } {
  const key = Buffer.from(encodingAesKey + '=', 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const pad = plain.at(-1)!;
  expect(pad).toBeGreaterThanOrEqual(1);
  expect(pad).toBeLessThanOrEqual(32);
  const unpadded = plain.subarray(0, plain.length - pad);
  const len = unpadded.readUInt32BE(16);
  return { xml: unpadded.subarray(20, 20 + len).toString(), appId: unpadded.subarray(20 + len).toString() };
}

let counter = 0;
/** A 64-bit-looking MsgId beyond Number's exact range, unique per call. */
export const nextMsgId = (): string => `2345678901234${String(100000 + ++counter)}`;

export class WechatSimulator {
  readonly account: string;
  private clock = 1_714_036_504;

  constructor(private readonly options: SimulatorOptions) {
    this.account = options.account ?? 'gh_0123456789ab';
  }

  /** Query of a signed request (timestamp, nonce, signature; plus encrypt_type and msg_signature when encrypting). */
  signedQuery(encrypted?: string, overrides: Record<string, string> = {}): URLSearchParams {
    const timestamp = String(++this.clock);
    const nonce = String(100_000_000 + Math.floor(Math.random() * 900_000_000));
    const q = new URLSearchParams({ signature: sha1(this.options.token, timestamp, nonce), timestamp, nonce, openid: 'ignored' });
    if (encrypted !== undefined) {
      q.set('encrypt_type', 'aes');
      q.set('msg_signature', sha1(this.options.token, timestamp, nonce, encrypted));
    }
    for (const [k, v] of Object.entries(overrides)) q.set(k, v);
    return q;
  }

  /** WeChat's GET when the server URL is saved. */
  verifyUrl(echostr: string, overrides: Record<string, string> = {}): Promise<Response> {
    const q = this.signedQuery(undefined, overrides);
    q.set('echostr', echostr);
    return fetch(`${this.options.url}?${q}`);
  }

  /** The body and query WeChat would send for these message fields in this mode. */
  envelope(fields: Record<string, string | number>, options: { appId?: string } = {}): { body: string; query: URLSearchParams } {
    const { mode, encodingAesKey, appId } = this.options;
    if (mode === 'plaintext') return { body: xmlOf(fields), query: this.signedQuery() };
    const encrypt = wechatEncrypt(encodingAesKey!, options.appId ?? appId!, xmlOf(fields));
    const outer: Record<string, string | number> = mode === 'compatibility' ? { ...fields, Encrypt: encrypt } : { ToUserName: this.account, Encrypt: encrypt };
    return { body: xmlOf(outer), query: this.signedQuery(encrypt) };
  }

  /** Posts raw bytes with a query (for bad-input tests). */
  async postRaw(body: string | Buffer, query: URLSearchParams, headers: Record<string, string> = {}): Promise<{ status: number; raw: string }> {
    const res = await fetch(`${this.options.url}?${query}`, { method: 'POST', headers: { 'content-type': 'text/xml', ...headers }, body });
    return { status: res.status, raw: await res.text() };
  }

  /** Posts message fields as WeChat would, and checks the reply: signature, envelope, swapped names. */
  async post(fields: Record<string, string | number>, options: { appId?: string } = {}): Promise<Posted> {
    const { body, query } = this.envelope(fields, options);
    return this.check(fields, await this.postRaw(body, query));
  }

  /** Checks a reply to `fields` as WeChat would, decrypting it in the encrypted modes. */
  check(fields: Record<string, string | number>, { status, raw }: { status: number; raw: string }): Posted {
    if (status !== 200 || raw === 'success' || raw === '') return { status, raw, reply: null };
    let reply = readXml(raw);
    if (this.options.mode !== 'plaintext') {
      expect(Object.keys(reply).sort()).toEqual(['Encrypt', 'MsgSignature', 'Nonce', 'TimeStamp']);
      expect(reply.MsgSignature).toBe(sha1(this.options.token, reply.TimeStamp!, reply.Nonce!, reply.Encrypt!));
      const { xml, appId } = wechatDecrypt(this.options.encodingAesKey!, reply.Encrypt!);
      expect(appId).toBe(this.options.appId);
      reply = readXml(xml);
    }
    expect(reply.ToUserName).toBe(fields.FromUserName);
    expect(reply.FromUserName).toBe(fields.ToUserName);
    expect(reply.MsgType).toBe('text');
    // Seconds, not milliseconds.
    expect(String(reply.CreateTime)).toMatch(/^\d{10}$/);
    return { status, raw, reply };
  }

  /** A text message from `user`. */
  text(user: string, content: string, msgId = nextMsgId()): Record<string, string | number> {
    return { ToUserName: this.account, FromUserName: user, CreateTime: ++this.clock, MsgType: 'text', Content: content, MsgId: msgId };
  }

  /** An event (subscribe, unsubscribe, CLICK, VIEW …) from `user`. */
  event(user: string, event: string, eventKey?: string): Record<string, string | number> {
    return { ToUserName: this.account, FromUserName: user, CreateTime: ++this.clock, MsgType: 'event', Event: event, ...(eventKey !== undefined ? { EventKey: eventKey } : {}) };
  }

  /** Sends text and returns the reply's Content (asserting there is one). */
  async say(user: string, content: string): Promise<string> {
    const posted = await this.post(this.text(user, content));
    expect(posted.status).toBe(200);
    expect(posted.reply?.Content).toBeTypeOf('string');
    return posted.reply!.Content!;
  }
}
