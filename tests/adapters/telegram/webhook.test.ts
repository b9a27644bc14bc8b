/** The webhook server on 127.0.0.1: secret, body cap, methods, and a real update. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { AddressInfo } from 'node:net';
import { createWebhookServer, secretMatches, type WebhookServer } from '../../../src/adapters/telegram/webhook.js';
import { createTelegramBot } from '../../../src/adapters/telegram/bot.js';
import { MemorySessionStore } from '../../../src/session/store.js';
import { createLogger } from '../../../src/log.js';
import { realEngine } from '../../helpers.js';
import { startStubApi, type StubApi } from './stub-api.js';
import * as f from './fixtures.js';

const SECRET = 'test_secret-123';
let api: StubApi;
let hook: WebhookServer;
let base: string;
let handled = 0;

beforeAll(async () => {
  api = await startStubApi();
  const bot = createTelegramBot({
    token: '123456:TESTTOKENabcdefghijklmnopqrstu',
    engine: realEngine(),
    store: new MemorySessionStore({ ttlMs: 60_000 }),
    logger: createLogger('silent'),
    apiRoot: api.apiRoot,
    botInfo: f.BOT_INFO as any,
  });
  hook = createWebhookServer({
    path: '/tg/hook',
    secret: SECRET,
    logger: createLogger('silent'),
    handleUpdate: async (u) => {
      handled++;
      await bot.handleUpdate(u);
    },
  });
  await new Promise<void>((ok) => hook.server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await hook.close();
  await api.close();
});

const post = (body: string, headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': SECRET }) =>
  fetch(`${base}/tg/hook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('webhook server', () => {
  it('answers a valid update and sends the reply', async () => {
    const res = await post(JSON.stringify(f.textUpdate('怎么注销微信账号')));
    expect(res.status).toBe(200);
    expect(api.of('sendMessage').at(-1)!.payload.text).toContain('注销微信账号');
  });

  it('rejects a wrong or missing secret with 401 and processes nothing', async () => {
    const before = handled;
    expect((await post(JSON.stringify(f.textUpdate('x')), { 'x-telegram-bot-api-secret-token': 'wrong' })).status).toBe(401);
    expect((await post(JSON.stringify(f.textUpdate('x')), {})).status).toBe(401);
    expect(handled).toBe(before);
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
