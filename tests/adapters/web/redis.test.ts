/**
 * Two processes of the web chat (`npm run web`) share one Redis: a conversation
 * whose turns land on either keeps its follow-ups, and the rate limit holds
 * across both. Skipped without redis-server, unless REQUIRE_REDIS=1.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { hasRedis, startRedis, type RedisProcess } from '../../production/redis-server.js';
import { startWebProcess, type WebProcess } from './web-process.js';
import { ChatClient } from './web-server.js';

describe.skipIf(!hasRedis)('the web chat on two instances sharing Redis', () => {
  let redis: RedisProcess;
  let a: WebProcess;
  let b: WebProcess;

  beforeAll(async () => {
    redis = await startRedis();
    const env = { REDIS_URL: redis.url, FLOOD_MAX_MESSAGES: '6' };
    [a, b] = await Promise.all([startWebProcess(env), startWebProcess(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.kill().catch(() => {});
  });

  /** One person whose requests alternate between the instances (a load balancer without stickiness). */
  const person = (useHeader = false) => {
    const onA = new ChatClient(a.base, { useHeader });
    const onB = new ChatClient(b.base, { useHeader });
    const share = (from: ChatClient, to: ChatClient) => {
      to.cookie = from.cookie;
      to.sessionId = from.sessionId;
    };
    return {
      a: async (input: string) => {
        share(onB, onA);
        return onA.ask(input);
      },
      b: async (input: string) => {
        share(onA, onB);
        return onB.ask(input);
      },
      post: async (on: 'a' | 'b', text: string) => {
        const [from, to] = on === 'a' ? [onB, onA] : [onA, onB];
        share(from, to);
        return to.post('/api/chat', { text });
      },
    };
  };

  it('keeps follow-up context when turns alternate between instances', async () => {
    const p = person();
    expect((await p.a('怎么注销微信账号')).topic).toBe('account.delete');
    const followup = await p.b('要多久');
    expect([followup.kind, followup.topic, followup.facet]).toEqual(['followup', 'account.delete', 'duration']);
    expect((await p.a('那解除实名呢')).topic).toBe('realname.remove');
    expect((await p.b('需要什么条件')).topic).toBe('realname.remove');
  });

  it('does the same with the session id in a header (no cookies)', async () => {
    const p = person(true);
    await p.b('怎么注销微信账号');
    expect((await p.a('要多久')).kind).toBe('followup');
  });

  it('counts the per-session rate limit across both instances', async () => {
    const p = person();
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await p.post(i % 2 ? 'b' : 'a', '你好')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('keeps answering, without context, while Redis is down', async () => {
    const p = person();
    await p.a('怎么注销微信账号');
    await redis.kill();
    const r = await p.post('b', '要多久');
    expect(r.status).toBe(200);
    expect(r.body.reply.kind).toBe('fallback');
    expect((await p.post('a', '微信怎么解除实名认证')).body.reply.topic).toBe('realname.remove');
    await redis.restart();
  });
});
