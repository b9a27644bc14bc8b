/**
 * A Reply as WeChat text messages. WeChat text has no markup except
 * `<a href>` links; suggestions become 「回复 1 …」 lines, and an answer longer
 * than one passive reply is split into pages, each under the byte limit and
 * ending with 「回复 0 看剩下的部分」 while there is more: nothing is cut.
 */
import type { Block, ChannelPointer, Reply, Source } from '../../engine/types.js';
import { toTraditional } from '../../nlu/normalize.js';

/**
 * Bytes of UTF-8 in one passive text reply. WeChat publishes no figure;
 * developers report failures past about 2,047 bytes, so keep a margin.
 * https://github.com/dodgepudding/wechat-php-sdk/issues/363
 */
export const WECHAT_TEXT_MAX_BYTES = 1800;

/** Fixed texts of the WeChat adapter (Simplified; shown in Traditional to users who write it). */
export const WECHAT_TEXTS = {
  more: '回复 0 看剩下的部分',
  choice: '回复 {n} {label}',
  nothingMore: '上一条回答已经全部发完了。直接发问题给我吧。',
  nonText: '我只能读懂文字。请用文字把问题发给我,例如“微信怎么解除实名认证”。',
  staleButton: '这个菜单按钮已经失效了,请直接发问题给我。',
  slow: '抱歉,这次回答得有点慢。请把问题再发一次。',
} as const;

export const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Control characters and anything that looks like a tag are removed from content text. */
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '').replace(/<\/?[A-Za-z][^<>]*>/g, '');

/** A URL fit for href="…": parsed and percent-encoded (WeChat cuts links at raw special characters), or null. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
    return parsed.href.replace(/"/g, '%22').replace(/</g, '%3C').replace(/>/g, '%3E');
  } catch {
    return null;
  }
}

/** `<a href="url">text</a>`, or the text alone when the URL is not usable. */
export function link(url: string, text: string): string {
  const href = safeHref(url);
  return href ? `<a href="${href}">${clean(text)}</a>` : clean(text);
}

const shortUrl = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

function channelLine(c: ChannelPointer, compact: boolean): string {
  const value = !c.url ? clean(c.value) : c.kind === 'url' ? link(c.url, c.value) : `${clean(c.value)}(${link(c.url, shortUrl(c.url))})`;
  return `- ${clean(c.name)}:${value}${c.note && !compact ? `(${clean(c.note)})` : ''}`;
}

const sourceItem = (s: Source) => `[${clean(s.kindLabel)}] ${link(s.url, s.title)}`;

/** The sources line: titles as links with their kind, and the date checked; a follow-up on one line. */
export function sourcesWechat(b: Extract<Block, { type: 'sources' }>): string {
  const checked = `${clean(b.checkedLabel)} ${clean(b.checked)}`;
  const items = b.sources.map(sourceItem);
  if (b.compact || items.length <= 1) return `📚 ${clean(b.title)}:${items.join('、')} · ${checked}`;
  return [`📚 ${clean(b.title)}(${checked}):`, ...items.map((i) => `- ${i}`)].join('\n');
}

function blockText(b: Block): string {
  switch (b.type) {
    case 'paragraph':
      return clean(b.text);
    case 'heading':
      return `■ ${clean(b.text)}`;
    case 'steps':
      return b.items.map((item, i) => `${i + 1}. ${clean(item)}`).join('\n');
    case 'list':
      return b.items.map((item) => `• ${clean(item)}`).join('\n');
    case 'note':
      return `※ ${clean(b.text)}`;
    case 'warning':
      return `⚠️ ${clean(b.text)}`;
    case 'channels':
      return [`📞 ${clean(b.title)}`, ...b.channels.map((c) => channelLine(c, b.compact === true))].join('\n');
    case 'sources':
      return sourcesWechat(b);
  }
}

/** Splits a line into pieces of at most `max` bytes, never inside a link or a character. */
function splitLine(line: string, max: number): string[] {
  const atoms = line.match(/<a href="[^"]*">[^<]*<\/a>|[\s\S]/gu) ?? [];
  const out: string[] = [];
  let current = '';
  for (const atom of atoms) {
    if (current && byteLength(current + atom) > max) {
      out.push(current);
      current = '';
    }
    current += atom;
  }
  if (current) out.push(current);
  return out;
}

export interface WechatRenderOptions {
  /** Byte limit of one message (default WECHAT_TEXT_MAX_BYTES). */
  maxBytes?: number;
  /** The user writes Traditional: the adapter's own lines follow. */
  traditional?: boolean;
}

/** A fixed text of the adapter in the user's script. */
export const localText = (text: string, traditional = false): string => (traditional ? toTraditional(text) : text);

/**
 * The reply as pages of WeChat text, each at most `maxBytes` of UTF-8. Every
 * page ends with the numbered suggestions (so a number can be picked from any
 * of them) and, while more follows, with 「回复 0 看剩下的部分」.
 */
export function renderWechat(reply: Reply, options: WechatRenderOptions = {}): string[] {
  const max = options.maxBytes ?? WECHAT_TEXT_MAX_BYTES;
  const t = (text: string) => localText(text, options.traditional);
  const choices = reply.suggestions.map((s, i) => t(WECHAT_TEXTS.choice).replace('{n}', String(i + 1)).replace('{label}', clean(s.label)));
  const more = t(WECHAT_TEXTS.more);
  const footer = (last: boolean) => [...(last ? [] : [more]), ...choices].join('\n');
  // Room for the body of a page: the longest footer and the blank line before it.
  const budget = Math.max(64, max - byteLength(footer(false)) - 2);

  const parts = [...(reply.title ? [`【${clean(reply.title)}】`] : []), ...reply.blocks.map(blockText)].filter(Boolean);
  const pieces: { text: string; sep: string }[] = [];
  for (const part of parts) {
    if (byteLength(part) <= budget) {
      pieces.push({ text: part, sep: '\n\n' });
      continue;
    }
    part.split('\n').forEach((line, i) =>
      splitLine(line, budget).forEach((piece, j) => pieces.push({ text: piece, sep: j > 0 ? '' : i > 0 ? '\n' : '\n\n' })),
    );
  }

  const bodies: string[] = [];
  let current = '';
  for (const { text, sep } of pieces) {
    if (current && byteLength(current + sep + text) > budget) {
      bodies.push(current);
      current = text;
    } else current = current ? current + sep + text : text;
  }
  if (current || bodies.length === 0) bodies.push(current);

  return bodies.map((body, i) => {
    const end = footer(i === bodies.length - 1);
    return body && end ? `${body}\n\n${end}` : body || end;
  });
}
