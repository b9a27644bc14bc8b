/** The webhook server on 127.0.0.1: secret, body cap, methods, and a real update. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { secretMatches } from '../../../src/adapters/telegram/webhook.js';
import type { StubApi } from './stub-api.js';
import { startWebhookBot, type WebhookBot } from './webhook-bot.js';
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
