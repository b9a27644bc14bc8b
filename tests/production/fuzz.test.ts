/**
 * Hostile input. A seeded generator (the same inputs every run) sends 100,000
 * random and adversarial texts through engine.respond, and 2,000 malformed or
 * oversized updates through the webhook. Nothing may crash; no reply may
 * carry unescaped markup; every update is answered (200) or rejected (4xx).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { realEngine } from '../helpers.js';
import { renderHtml } from '../../src/render/html.js';
import { renderText } from '../../src/render/text.js';
import type { Session } from '../../src/engine/types.js';
import type { StubApi } from '../adapters/telegram/stub-api.js';
import { startWebhookBot, type WebhookBot } from '../adapters/telegram/webhook-bot.js';
import * as f from '../adapters/telegram/fixtures.js';

/** mulberry32: a small seeded PRNG. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '<script>alert(1)</script>', '<b>', '</i>', '&amp;', '&lt;', '"><img src=x onerror=1>', '**bold**', '[x](http://evil.example)', '`code`',
  '\u200b', '\u200f', '\u202e', '\u0000', '\u0007', '\u001b[31m', '\ud800', '\udfff', '\ufeff', '😀', '👨‍👩‍👧', '\n', '\t', '   ',
  '微信', '实名', '注销', '要多久', '不是这个', '1', '第二个', '身份证110101199003074514', '验证码 123456', '實名認證', 'shiming', 'DELETE',
  'Ｗｅｃｈａｔ', 'ﬁ', 'ḁ̷̛', 'עברית', 'العربية', '𠀀𠀁', '/start', '@helper_bot', '%s%n', '${x}', '{{x}}', '\\', "'", '"',
];

function randomText(next: () => number): string {
  const r = next();
  if (r < 0.0003) return '注销'.repeat(next() * 50_000); // up to 100 KB
  if (r < 0.3) {
    // random code points, including control, surrogate halves and private use
    return Array.from({ length: Math.floor(next() * 40) }, () => String.fromCharCode(Math.floor(next() * 0xffff))).join('');
  }
  return Array.from({ length: 1 + Math.floor(next() * 8) }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
}

const ALLOWED_TAG = /<\/?(?:b|i|code)>|<a href="[^"<>]*">|<\/a>|<blockquote expandable>|<\/blockquote>/g;

describe('fuzz: engine.respond', () => {
  it('survives 100,000 random and adversarial texts, with every reply safe to render', () => {
    const engine = realEngine();
    const next = rng(20261124);
    let session: Session | null = null;
    let unsafe = 0;
    for (let i = 0; i < 100_000; i++) {
      const text = randomText(next);
      const result = engine.respond(i % 5 === 0 ? null : session, text, 1_700_000_000_000 + i * 1000);
      session = result.session;
      expect(result.reply.blocks.length).toBeGreaterThan(0);
      // Sampled: rendering is the slow part; every 20th reply is checked in full.
      if (i % 20 === 0) {
        for (const html of renderHtml(result.reply)) if (/[<>]/.test(html.replace(ALLOWED_TAG, ''))) unsafe++;
        expect(renderText(result.reply)).not.toMatch(/[\u0000-\u0008\u000b\u001b]/);
      }
    }
    expect(unsafe).toBe(0);
  }, 240_000);
});

describe('fuzz: webhook', () => {
  const SECRET = 'fuzz_secret';
  let bot: WebhookBot;
  let api: StubApi;
  let url: string;

  beforeAll(async () => {
    bot = await startWebhookBot(SECRET);
    api = bot.api;
    url = bot.url;
  });
  afterAll(() => bot.close());

  function malformed(next: () => number, i: number): string {
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
    const text = randomText(next);
    const shapes: (() => unknown)[] = [
      () => ({ update_id: i }),
      () => ({ update_id: i, message: null }),
      () => ({ update_id: i, message: { text } }),
      () => ({ update_id: i, message: { message_id: 1, date: 0, chat: { id: i, type: 'private' }, text: 12345 } }),
      () => ({ update_id: i, message: { message_id: 1, date: 0, chat: { id: i, type: 'private' }, from: { id: i }, text } }),
      () => ({ update_id: i, message: { message_id: 1, date: 0, chat: { id: i, type: pick(['group', 'channel', 'weird']) }, text, entities: [{ type: 'mention', offset: -5, length: 999 }] } }),
      () => ({ update_id: i, edited_message: { text: [text] } }),
      () => ({ update_id: i, callback_query: { id: 'x', data: text.slice(0, 64), from: { id: i } } }),
      () => ({ update_id: i, callback_query: { id: 'x', data: 's|' + text, from: { id: i }, message: { message_id: 1, date: 0, chat: { id: i, type: 'private' } } } }),
      () => ({ update_id: i, inline_query: { id: 'q', from: { id: i }, query: text } }),
      () => ({ update_id: i, [pick(['poll', 'chat_member', 'my_chat_member', 'something_new'])]: { a: text } }),
      () => ({ update_id: String(i), message: {} }),
      () => [i, text],
      () => text,
    ];
    const r = next();
    if (r < 0.05) return '{"update_id":' + i + ', "message": {"text": "' + 'x'.repeat(1_100_000) + '"}}';
    if (r < 0.15) return '{"update_id":' + i + ', broken';
    return JSON.stringify(pick(shapes)());
  }

  it('answers or rejects (4xx) 2,000 malformed and oversized updates, and still serves', async () => {
    const next = rng(7);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const res = await fetch(url, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET, 'content-type': 'application/json' }, body: malformed(next, i) });
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    for (const status of statuses.keys()) expect([200, 400, 413]).toContain(status);
    const sent = api.of('sendMessage');
    for (const c of sent) expect(String(c.payload.text).replace(ALLOWED_TAG, '')).not.toMatch(/[<>]/);
    const before = sent.length;
    const ok = await fetch(url, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(f.textUpdate('怎么注销微信账号')) });
    expect(ok.status).toBe(200);
    expect(api.of('sendMessage').length).toBe(before + 1);
  }, 240_000);
});
