/**
 * Plain-text rendering of a Reply, for the terminal and for `ask`.
 */
import type { Block, ChannelPointer, Reply } from '../engine/types.js';

/** Control characters never reach a terminal (content is curated, but be safe). */
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');

export function channelLine(c: ChannelPointer, compact = false): string {
  const value = c.kind === 'url' && c.url ? `${c.value} ${c.url}` : c.url ? `${c.value}(${c.url})` : c.value;
  return `${c.name}:${value}${c.note && !compact ? `(${c.note})` : ''}`;
}

function blockText(b: Block): string {
  switch (b.type) {
    case 'paragraph':
      return b.text;
    case 'heading':
      return `■ ${b.text}`;
    case 'steps':
      return b.items.map((item, i) => `${i + 1}. ${item}`).join('\n');
    case 'list':
      return b.items.map((item) => `• ${item}`).join('\n');
    case 'note':
      return `※ ${b.text}`;
    case 'warning':
      return `⚠ ${b.text}`;
    case 'channels':
      return [`📞 ${b.title}`, ...b.channels.map((c) => `- ${channelLine(c, b.compact)}`)].join('\n');
    case 'sources':
      return sourcesText(b);
  }
}

/** 「来源:[官方] 标题 URL、… · 核对于 2026-11-24」; a follow-up (compact) on one line. */
export function sourcesText(b: Extract<Block, { type: 'sources' }>): string {
  const checked = `${b.checkedLabel} ${b.checked}`;
  const items = b.sources.map((s) => `[${s.kindLabel}] ${s.title} ${s.url}`);
  if (b.compact || items.length <= 1) return `📚 ${b.title}:${items.join('、')} · ${checked}`;
  return [`📚 ${b.title}(${checked}):`, ...items.map((i) => `- ${i}`)].join('\n');
}

/** The text a user reads: title, blocks in order (channel pointers last). No suggestions. */
export function renderText(reply: Reply): string {
  const parts = [...(reply.title ? [`【${reply.title}】`] : []), ...reply.blocks.map(blockText)];
  return clean(parts.join('\n\n'));
}

/** Suggestions as a numbered list ("1. 要多久"), for the terminal. */
export function renderSuggestions(reply: Reply): string {
  return reply.suggestions.map((s, i) => `  ${i + 1}. ${s.label}`).join('\n');
}
