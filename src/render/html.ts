/**
 * Telegram HTML rendering of a Reply (parse_mode HTML). One escaper for every
 * piece of text, so nothing a user or a curator typed becomes markup.
 * https://core.telegram.org/bots/api#html-style
 */
import type { Block, Reply, Source } from '../engine/types.js';

/** Telegram's limit for one message, in characters (after entity parsing). */
export const TELEGRAM_MAX_CHARS = 4096;

/** Escapes the three characters Telegram HTML treats specially. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function blockHtml(b: Block): string {
  switch (b.type) {
    case 'paragraph':
      return escapeHtml(b.text);
    case 'heading':
      return `<b>${escapeHtml(b.text)}</b>`;
    case 'steps':
      return b.items.map((item, i) => `${i + 1}. ${escapeHtml(item)}`).join('\n');
    case 'list':
      return b.items.map((item) => `• ${escapeHtml(item)}`).join('\n');
    case 'note':
      return `<i>${escapeHtml(b.text)}</i>`;
    case 'warning':
      return `⚠️ <b>${escapeHtml(b.text)}</b>`;
    case 'channels':
      return [
        `📞 <b>${escapeHtml(b.title)}</b>`,
        ...b.channels.map((c) => {
          const value = c.url ? `<a href="${escapeHtml(c.url)}">${escapeHtml(c.value)}</a>` : `<code>${escapeHtml(c.value)}</code>`;
          return `• ${escapeHtml(c.name)}:${value}${c.note && !b.compact ? `\n  <i>${escapeHtml(c.note)}</i>` : ''}`;
        }),
      ].join('\n');
    case 'sources':
      return sourcesHtml(b);
  }
}

const sourceLink = (s: Source) => `<a href="${escapeHtml(s.url)}">${escapeHtml(s.title)}</a>`;

/**
 * 「来源:…· 核对于 …」. Titles are links with their kind; more than two go in an expandable
 * blockquote. A follow-up (compact) names the first source and how many there are.
 */
function sourcesHtml(b: Extract<Block, { type: 'sources' }>): string {
  const checked = `${escapeHtml(b.checkedLabel)} ${escapeHtml(b.checked)}`;
  const first = b.sources[0];
  if (!first) return `<i>${checked}</i>`;
  if (b.compact) {
    const more = b.sources.length > 1 ? ` +${b.sources.length - 1}` : '';
    return `<i>${escapeHtml(b.title)}:${sourceLink(first)}${more} · ${checked}</i>`;
  }
  const items = b.sources.map((s) => `${escapeHtml(s.kindLabel)} · ${sourceLink(s)}`);
  if (items.length <= 2) return `<i>${escapeHtml(b.title)}:${items.join('、')} · ${checked}</i>`;
  return `<b>${escapeHtml(b.title)}</b>(${checked})\n<blockquote expandable>${items.join('\n')}</blockquote>`;
}

/** The reply as Telegram HTML paragraphs (title first, channel pointers last). */
function htmlParts(reply: Reply): string[] {
  return [...(reply.title ? [`<b>${escapeHtml(reply.title)}</b>`] : []), ...reply.blocks.map(blockHtml)];
}

/**
 * The reply as one or more messages, each under `limit` characters, split at
 * paragraph boundaries (a single over-long paragraph is cut at line breaks).
 */
export function renderHtml(reply: Reply, limit = TELEGRAM_MAX_CHARS): string[] {
  const messages: string[] = [];
  let current = '';
  const push = (part: string) => {
    const joined = current ? `${current}\n\n${part}` : part;
    if (joined.length <= limit) {
      current = joined;
      return;
    }
    if (current) messages.push(current);
    current = part;
  };
  for (const part of htmlParts(reply)) {
    if (part.length <= limit) push(part);
    else for (const line of part.split('\n')) push(line.slice(0, limit));
  }
  if (current) messages.push(current);
  return messages;
}
