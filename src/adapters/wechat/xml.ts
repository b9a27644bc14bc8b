/**
 * The XML of the message API, read safely and written by hand.
 *
 * Reading: a document with a DOCTYPE or an ENTITY declaration is refused before
 * parsing (WeChat never sends one; it is how XXE and entity-expansion attacks
 * start), and fast-xml-parser runs with entity processing off, so nothing is
 * ever fetched or expanded. Only the five predefined entities and character
 * references are decoded, by hand, in text outside CDATA.
 * WeChat's XXE advisory: https://pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=23_5
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Why a body is not a message we read. */
export type XmlFailure = 'doctype' | 'malformed' | 'not-a-message';

export class WechatXmlError extends Error {
  override name = 'WechatXmlError';
  constructor(readonly reason: XmlFailure) {
    super(`WeChat XML: ${reason}`);
  }
}

const parser = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  preserveOrder: true,
  cdataPropName: '#cdata',
});

type OrderedNode = Record<string, unknown>;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes &lt; &gt; &amp; &quot; &apos; and &#…; references; leaves any other &name; as it is. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref]! : whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

/** CDATA content is kept as it is (no entity decoding). */
const cdataText = (children: unknown): string =>
  Array.isArray(children) ? (children as OrderedNode[]).map((n) => ('#text' in n ? String(n['#text']) : '')).join('') : '';

/** The text of an element: its text (decoded) and CDATA sections (verbatim), in order; child elements ignored. */
function textOf(children: unknown): string {
  if (!Array.isArray(children)) return '';
  let out = '';
  for (const node of children as OrderedNode[]) {
    if ('#text' in node) out += decodeEntities(String(node['#text']));
    else if ('#cdata' in node) out += cdataText(node['#cdata']);
  }
  return out;
}


/**
 * Reads `<xml><Field>…</Field>…</xml>` into a flat map of its top-level fields
 * (the first of a repeated field wins). Throws WechatXmlError.
 */
export function parseWechatXml(body: string): Record<string, string> {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new WechatXmlError('doctype');
  if (XMLValidator.validate(body) !== true) throw new WechatXmlError('malformed');
  let doc: OrderedNode[];
  try {
    doc = parser.parse(body) as OrderedNode[];
  } catch {
    throw new WechatXmlError('malformed');
  }
  const roots = doc.filter((n) => !('#text' in n) && !('#cdata' in n));
  const root = roots[0];
  if (roots.length !== 1 || !root || !('xml' in root)) throw new WechatXmlError('not-a-message');
  const fields: Record<string, string> = {};
  for (const child of (root.xml as OrderedNode[]) ?? []) {
    for (const [name, value] of Object.entries(child)) {
      if (name.startsWith('#') || name === ':@' || name in fields) continue;
      fields[name] = textOf(value);
    }
  }
  return fields;
}

/** A CDATA section for any text: `]]>` inside is split across two sections. */
export const cdata = (text: string): string => `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** A passive text reply: To and From swapped relative to the message, CreateTime in seconds. */
export function textReplyXml(args: { toUser: string; fromUser: string; createTime: number; content: string }): string {
  return (
    `<xml><ToUserName>${cdata(args.toUser)}</ToUserName><FromUserName>${cdata(args.fromUser)}</FromUserName>` +
    `<CreateTime>${Math.floor(args.createTime)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content>${cdata(args.content)}</Content></xml>`
  );
}

/** The envelope of an encrypted reply (security and compatibility modes). */
export function encryptedReplyXml(args: { encrypt: string; signature: string; timestamp: string; nonce: string }): string {
  return (
    `<xml><Encrypt>${cdata(args.encrypt)}</Encrypt><MsgSignature>${cdata(args.signature)}</MsgSignature>` +
    `<TimeStamp>${args.timestamp}</TimeStamp><Nonce>${cdata(args.nonce)}</Nonce></xml>`
  );
}
