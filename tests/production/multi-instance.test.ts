/**
 * Two webhook instances of the real bot share one Redis; a stub Bot API on
 * loopback collects what they send.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { hasRedis, startRedis, type RedisProcess } from './redis-server.js';
import { startInstance, TOKEN, SECRET, type Instance } from './instances.js';
import { startStubApi, type StubApi } from '../adapters/telegram/stub-api.js';
import * as f from '../adapters/telegram/fixtures.js';

describe.skipIf(!hasRedis)('several instances on one Redis', () => {
  let redis: RedisProcess;
  let api: StubApi;
  let a: Instance;
  let b: Instance;
  const rejections: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    api = await startStubApi();
    const env = { REDIS_URL: redis.url, TELEGRAM_API_ROOT: api.apiRoot, FLOOD_MAX_MESSAGES: '1000' };
    [a, b] = await Promise.all([startInstance(env), startInstance(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await api?.close();
    await redis?.kill().catch(() => {});
  });

  const repliesTo = (chatId: number) => api.of('sendMessage').filter((c) => c.payload.chat_id === chatId).map((c) => c.payload.text as string);

  it('keeps follow-up context when turns alternate between instances', async () => {
    const from = f.user(5001);
    expect(await a.post(f.textUpdate('怎么注销微信账号', { from }))).toBe(200);
    expect(await b.post(f.textUpdate('要多久?', { from }))).toBe(200);
    expect(await a.post(f.textUpdate('那解除实名呢', { from }))).toBe(200);
    expect(await b.post(f.textUpdate('需要什么条件', { from }))).toBe(200);
    const texts = repliesTo(5001);
    expect(texts).toHaveLength(4);
    expect(texts[1]).toContain('以申请页面');
    expect(texts[2]).toContain('解除微信实名认证');
    expect(texts[3]).toContain('零钱');
  });

  it('answers an update replayed to both instances once', async () => {
    const update = f.textUpdate('微信怎么解除实名认证', { from: f.user(5002) });
    expect(await a.post(update)).toBe(200);
    expect(await b.post(update)).toBe(200);
    expect(await a.post(update)).toBe(200);
    expect(repliesTo(5002)).toHaveLength(1);
  });

  it('keeps replying without context when Redis dies, and gets context back when it returns', async () => {
    const from = f.user(5003);
    await a.post(f.textUpdate('怎么注销微信账号', { from }));
    await redis.kill();
    expect(await b.post(f.textUpdate('要多久?', { from }))).toBe(200);
    expect(await a.post(f.textUpdate('微信怎么解除实名认证', { from }))).toBe(200);
    expect(repliesTo(5003)).toHaveLength(3);
    expect(repliesTo(5003)[2]).toContain('注销微信支付');
    expect(a.alive() && b.alive()).toBe(true);

    await redis.restart();
    // Both reconnect by themselves (retry at most every 2 s).
    const from2 = f.user(5004);
    const deadline = Date.now() + 15_000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const before = repliesTo(5004).length;
      await a.post(f.textUpdate('怎么注销微信账号', { from: from2 }));
      await b.post(f.textUpdate('要多久?', { from: from2 }));
      ok = (repliesTo(5004)[before + 1] ?? '').includes('以申请页面');
    }
    expect(ok).toBe(true);
    for (const i of [a, b]) {
      expect(i.logs().match(/"event":"redis_unavailable"/g)?.length ?? 0).toBeLessThanOrEqual(2);
      expect(i.logs()).not.toMatch(/UnhandledPromiseRejection|unhandled/i);
    }
  }, 40_000);

  it('serves Prometheus metrics', async () => {
    const res = await fetch(`http://127.0.0.1:${a.port}/metrics`);
    const body = await res.text();
    expect(res.status).toBe(200);
    for (const name of ['bot_updates_total', 'bot_replies_total', 'bot_reply_seconds_bucket', 'bot_redis_errors_total', 'bot_telegram_429_total']) {
      expect(body).toContain(name);
    }
    expect(body).toMatch(/bot_replies_total\{kind="answer"\} [1-9]/);
  });

  it('keeps logs clean of message text, personal numbers, the token and the secret', async () => {
    const planted = ['110101199003074514', '6222020212345678', '13812345678'];
    await a.post(f.textUpdate(`我的身份证${planted[0]},卡号${planted[1]},手机${planted[2]}怎么办`, { from: f.user(5005) }));
    const logs = a.logs() + b.logs();
    for (const value of [...planted, TOKEN, SECRET, '怎么注销微信账号', '5005']) expect(logs).not.toContain(value);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    expect(await b.stop()).toBe(0);
  });

  it('rejects bad requests: 401 without the secret, 413 over 1 MB, 400 for non-JSON, 405 for GET', async () => {
    const url = `http://127.0.0.1:${a.port}/hook`;
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(url, { method: 'POST', headers: { 'x-telegram-bot-api-secret-token': 'nope' }, body: '{}' })).status).toBe(401);
    expect(await a.post('x'.repeat(1_100_000))).toBe(413);
    expect(await a.post('not json')).toBe(400);
    expect((await fetch(url)).status).toBe(405);
    void rejections;
  });
});
