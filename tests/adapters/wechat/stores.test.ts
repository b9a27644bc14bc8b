/** The adapter's own state: last replies and the retry cache, in memory and shared through Redis. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { MemoryLastReplyStore, MemoryReplyCache, RedisLastReplyStore, RedisReplyCache, REPLY_TTL_MS, SEEN_TTL_MS } from '../../../src/adapters/wechat/stores.js';
import { SharedRedis, RedisSessionStore } from '../../../src/session/redis.js';
import { hasRedis, startRedis, type RedisProcess } from '../../production/redis-server.js';
import { realEngine } from '../../helpers.js';
import { AES_KEY, APPID, startChannel, TOKEN } from './harness.js';
import { nextMsgId, WechatSimulator } from './simulator.js';

const silent = createLogger('silent');

describe('MemoryLastReplyStore', () => {
  it('forgets an entry after its TTL and on delete', async () => {
    let now = 0;
    const store = new MemoryLastReplyStore(1000, 10, () => now);
    await store.set('o1', { choices: [{ topic: 'a.b', facet: null }], more: ['page'] });
    expect(await store.get('o1')).toEqual({ choices: [{ topic: 'a.b', facet: null }], more: ['page'] });
    now = 1000;
    expect(await store.get('o1')).toBeUndefined();
    await store.set('o2', { choices: [], more: [] });
    await store.delete('o2');
    expect(await store.get('o2')).toBeUndefined();
  });
  it('keeps at most maxEntries (oldest out)', async () => {
    const store = new MemoryLastReplyStore(60_000, 2);
    for (const id of ['a', 'b', 'c']) await store.set(id, { choices: [], more: [id] });
    expect(await store.get('a')).toBeUndefined();
    expect((await store.get('c'))?.more).toEqual(['c']);
  });
});

describe('MemoryReplyCache', () => {
  it('says first, then pending, then the reply; forgets the reply, then the id', async () => {
    let now = 0;
    const cache = new MemoryReplyCache(100, () => now);
    expect(await cache.claim('msg:1')).toEqual({ status: 'first' });
    expect(await cache.claim('msg:1')).toEqual({ status: 'pending' });
    await cache.complete('msg:1', 'hello');
    expect(await cache.claim('msg:1')).toEqual({ status: 'done', content: 'hello' });
    await cache.complete('msg:2', null);
    now = REPLY_TTL_MS;
    expect(await cache.claim('msg:1')).toEqual({ status: 'pending' });
    now = SEEN_TTL_MS;
    expect(await cache.claim('msg:1')).toEqual({ status: 'first' });
  });
});

describe.skipIf(!hasRedis)('shared through Redis', () => {
  let server: RedisProcess;
  let redis: SharedRedis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new SharedRedis({ url: server.url, logger: silent });
    await redis.connect();
  });
  afterAll(async () => {
    await redis?.close();
    await server?.kill();
  });

  it('stores last replies as validated JSON with a TTL, and ignores a corrupt value', async () => {
    const store = new RedisLastReplyStore(redis, 60_000, 'wxtest:');
    await store.set('oR', { choices: [{ topic: 'account.delete', facet: 'duration' }], more: ['p2'] });
    expect(await store.get('oR')).toEqual({ choices: [{ topic: 'account.delete', facet: 'duration' }], more: ['p2'] });
    const ttl = await redis.client.pttl('wxtest:wechat:last:oR');
    expect(ttl).toBeGreaterThan(50_000);
    await redis.client.set('wxtest:wechat:last:oR', '{"choices":"nope"}');
    expect(await store.get('oR')).toBeUndefined();
    await store.delete('oR');
    expect(await redis.client.exists('wxtest:wechat:last:oR')).toBe(0);
  });

  it('claims a message once across instances; keys hold no OpenID', async () => {
    const a = new RedisReplyCache(redis, 'wxtest:');
    const b = new RedisReplyCache(redis, 'wxtest:');
    expect(await a.claim('event:oSecretOpenId:1714036504:subscribe')).toEqual({ status: 'first' });
    expect(await b.claim('event:oSecretOpenId:1714036504:subscribe')).toEqual({ status: 'pending' });
    await a.complete('event:oSecretOpenId:1714036504:subscribe', 'welcome');
    expect(await b.claim('event:oSecretOpenId:1714036504:subscribe')).toEqual({ status: 'done', content: 'welcome' });
    const keys = await redis.client.keys('wxtest:wechat:*');
    expect(keys.length).toBe(2);
    expect(keys.join(' ')).not.toContain('oSecretOpenId');
  });

  it('two instances: a retry on the other one gets the same reply, and a number picks from the other one’s answer', async () => {
    const engine = realEngine();
    const store = new RedisSessionStore(redis, engine.contextTtlMs, 'wxtest2:');
    const env = { REDIS_PREFIX: 'wxtest2:' };
    const one = await startChannel({ store, redis, env });
    const two = await startChannel({ store, redis, env });
    try {
      const sim1 = new WechatSimulator({ url: one.url, token: TOKEN, mode: 'security', appId: APPID, encodingAesKey: AES_KEY });
      const sim2 = new WechatSimulator({ url: two.url, token: TOKEN, mode: 'security', appId: APPID, encodingAesKey: AES_KEY });
      const message = sim1.text('oShared', '怎么注销微信账号', nextMsgId());
      const first = await sim1.post(message);
      const retry = await sim2.post(message);
      expect(retry.reply!.Content).toBe(first.reply!.Content);
      expect(first.reply!.Content).toContain('回复 2 ');
      const second = engine.respond(null, '怎么注销微信账号').reply.suggestions[1]!;
      const picked = await sim2.say('oShared', '2');
      expect(picked).toBe(
        (await import('../../../src/adapters/wechat/render.js')).renderWechat(
          engine.respond(engine.respond(null, '怎么注销微信账号').session, { topic: second.topic, facet: second.facet }).reply,
        )[0],
      );
      expect(await redis.client.exists('wxtest2:session:wechat:oShared')).toBe(1);
      await sim2.post(sim2.event('oShared', 'unsubscribe'));
      expect(await redis.client.exists('wxtest2:session:wechat:oShared', 'wxtest2:wechat:last:oShared')).toBe(0);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
