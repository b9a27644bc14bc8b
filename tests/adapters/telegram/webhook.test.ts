/** The webhook server on 127.0.0.1: secret, body cap, methods, and a real update. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { secretMatches } from '../../../src/adapters/telegram/webhook.js';
import type { StubApi } from './stub-api.js';
import { startWebhookBot, type WebhookBot } from './webhook-bot.js';
import { sendOversized, twoOnOneSocket } from '../../server/raw-http.js';
import * as f from './fixtures.js';

const SECRET = 'test_secret-123';
let bot: WebhookBot;
let api: StubApi;
let base: string;

beforeAll(async () => {
  bot = await startWebhookBot(SECRET, '/tg/hook');
  api = bot.api;
  base = bot.base;
});
afterAll(() => bot.close());

const post = (body: string, headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': SECRET }) =>
  fetch(`${base}/tg/hook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('webhook server', () => {
  it('answers a valid update and sends the reply', async () => {
    const res = await post(JSON.stringify(f.textUpdate('怎么注销微信账号')));
    expect(res.status).toBe(200);
    expect(api.of('sendMessage').at(-1)!.payload.text).toContain('注销微信账号');
  });

  it('rejects a wrong or missing secret with 401 and processes nothing', async () => {
    const before = bot.handled();
    expect((await post(JSON.stringify(f.textUpdate('x')), { 'x-telegram-bot-api-secret-token': 'wrong' })).status).toBe(401);
    expect((await post(JSON.stringify(f.textUpdate('x')), {})).status).toBe(401);
    expect(bot.handled()).toBe(before);
  });

  it('rejects a body over 1 MB with 413', async () => {
    const res = await post(JSON.stringify({ update_id: 1, message: { text: 'x'.repeat(1_100_000) } }));
    expect(res.status).toBe(413);
  });

  it('rejects non-JSON and non-updates with 400', async () => {
    expect((await post('not json')).status).toBe(400);
    expect((await post('[1,2]')).status).toBe(400);
  });

  it('answers GET on the webhook path with 405, and GET /healthz with 200', async () => {
    expect((await fetch(`${base}/tg/hook`)).status).toBe(405);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('compares secrets in constant time, whatever their length', () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    expect(secretMatches('short', SECRET)).toBe(false);
    expect(secretMatches(undefined, SECRET)).toBe(false);
    expect(secretMatches([SECRET], SECRET)).toBe(false);
  });
});

describe('webhook keep-alive after a rejected body', () => {
  const port = () => Number(new URL(base).port);
  const headers = { 'x-telegram-bot-api-secret-token': SECRET, 'content-type': 'application/json' };

  it('answers 413 with Connection: close and closes, so the rest of the body is never read as a request', async () => {
    // A client that stops uploading on the early 413 (as curl does) and would reuse the connection.
    const r = await sendOversized(port(), '/tg/hook', headers, 2_000_000, 64 * 1024);
    expect(r.status).toBe(413);
    expect(r.headers.connection).toBe('close');
    expect(r.closed).toBe(true);
    // The next request, on a new connection, is served.
    expect((await post(JSON.stringify(f.textUpdate('微信怎么解除实名认证')))).status).toBe(200);
  });

  it('closes after 401 and 400 too, and keeps the connection after a 200', async () => {
    const valid = { path: '/tg/hook', headers, body: JSON.stringify(f.textUpdate('要多久')) };
    const [unauthorized] = await twoOnOneSocket(port(), { ...valid, headers: { 'content-type': 'application/json' } }, valid);
    expect([unauthorized.status, unauthorized.headers.connection]).toEqual([401, 'close']);
    const [bad] = await twoOnOneSocket(port(), { ...valid, body: 'not json' }, valid);
    expect([bad.status, bad.headers.connection]).toEqual([400, 'close']);
    const [ok, next] = await twoOnOneSocket(port(), valid, { ...valid, body: JSON.stringify(f.textUpdate('找谁办')) });
    expect(ok.status).toBe(200);
    expect((next as { status: number }).status).toBe(200);
  });

  it('serves a keep-alive client (fetch) after its 413', async () => {
    expect((await post(JSON.stringify({ update_id: 9, message: { text: 'x'.repeat(1_100_000) } }))).status).toBe(413);
    expect((await post(JSON.stringify(f.textUpdate('需要什么条件')))).status).toBe(200);
  });
});
