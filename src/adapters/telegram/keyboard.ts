/**
 * Inline keyboards. callback_data carries the topic id and facet itself (not
 * a reference into session state), so a button from an old message still
 * works after its context expired. Telegram allows 64 bytes.
 */
import type { Reply } from '../../engine/types.js';

export const MAX_CALLBACK_BYTES = 64;

export type CallbackAction =
  | { type: 'pick'; topic: string; facet: string | null }
  | { type: 'feedback'; topic: string; useful: boolean };

export function encodeCallback(action: CallbackAction): string | null {
  const data = action.type === 'pick' ? `s|${action.topic}|${action.facet ?? ''}` : `f|${action.useful ? '+' : '-'}|${action.topic}`;
  return Buffer.byteLength(data, 'utf8') <= MAX_CALLBACK_BYTES ? data : null;
}

export function decodeCallback(data: string | undefined): CallbackAction | null {
  if (!data) return null;
  const [type, a, b] = data.split('|');
  if (type === 's' && a) return { type: 'pick', topic: a, facet: b ? b : null };
  if (type === 'f' && (a === '+' || a === '-') && b) return { type: 'feedback', topic: b, useful: a === '+' };
  return null;
}

export interface InlineButton {
  text: string;
  callback_data: string;
}

/** Suggestions two per row, then 👍/👎 under answers. */
export function replyKeyboard(reply: Reply): InlineButton[][] {
  const buttons = reply.suggestions.flatMap((s) => {
    const data = encodeCallback({ type: 'pick', topic: s.topic, facet: s.facet });
    return data ? [{ text: s.label, callback_data: data }] : [];
  });
  const rows: InlineButton[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  if (reply.topic && ['answer', 'followup', 'refusal'].includes(reply.kind)) {
    const up = encodeCallback({ type: 'feedback', topic: reply.topic, useful: true });
    const down = encodeCallback({ type: 'feedback', topic: reply.topic, useful: false });
    if (up && down) rows.push([{ text: '👍 有帮助', callback_data: up }, { text: '👎 没帮助', callback_data: down }]);
  }
  return rows;
}
