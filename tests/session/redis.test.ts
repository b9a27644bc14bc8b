import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Writable } from 'node:stream';
import { hasRedis, startRedis, type RedisProcess } from '../production/redis-server.js';
import { SharedRedis, RedisSessionStore } from '../../src/session/redis.js';
import { RedisFloodGate, RedisUpdateDedup } from '../../src/session/guards.js';
import { createLogger } from '../../src/log.js';
import { initialState as newSession } from '../../src/engine/state.js';

describe.skipIf(!hasRedis)('Redis state (real redis-server on 127.0.0.1)', () => {
  let server: RedisProcess;
  let logs = '';
  const logger = createLogger('info', new Writable({ write: (c, _e, cb) => ((logs += c.toString()), cb()) }));
  let a: SharedRedis;
  let b: SharedRedis;

  beforeAll(async () => {
    server = await startRedis();
    a = new SharedRedis({ url: server.url, logger });
    b = new SharedRedis({ url: server.url, logger });
    expect(await a.connect()).toBe(true);
    expect(await b.connect()).toBe(true);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await server.kill();
  });

  it('stores sessions as JSON with a prefix and a TTL equal to the context timeout', async () => {
    const store = new RedisSessionStore(a, 30 * 60_000, 'test:');
    const s = { ...newSession(), frame: { topic: 'account.delete', facet: null, entities: { action: 'close' } }, lastTurnAt: 5 };
    await store.set('7:7', s);
    expect(await new RedisSessionStore(b, 30 * 60_000, 'test:').get('7:7')).toEqual(s);
    const ttl = await a.client.ttl('test:session:7:7');
    expect(ttl).toBeGreaterThan(1790);
    expect(ttl).toBeLessThanOrEqual(1800);
    await store.delete('7:7');
    expect(await store.get('7:7')).toBeUndefined();
  });

  it('migrates a version-1 session written by the previous release instead of dropping it', async () => {
    const store = new RedisSessionStore(a, 60_000, 'test:');
    const v1 = { topic: 'realname.remove', facetsShown: ['steps'], pending: [], alternatives: ['account.delete'], lastTurnAt: 42, script: 'traditional' };
    await a.client.set('test:session:old', JSON.stringify(v1));
    expect(await store.get('old')).toEqual({
      v: 2,
      frame: { topic: 'realname.remove', facet: null, entities: {} },
      shown: ['steps'],
      offer: [],
      alternatives: ['account.delete'],
      script: 'traditional',
      lastTurnAt: 42,
    });
  });

  it('turns a corrupt value into a fresh session, not a crash', async () => {
    const store = new RedisSessionStore(a, 60_000, 'test:');
    for (const bad of ['not json', '{"topic":5}', '[]', 'null', JSON.stringify({ ...newSession(), extra: 1 })]) {
      await a.client.set('test:session:bad', bad);
      expect(await store.get('bad')).toBeUndefined();
    }
  });

  it('shares flood counts across instances', async () => {
    const opts = { max: 3, windowMs: 10_000 };
    const g1 = new RedisFloodGate(a, opts, undefined, 'test:');
    const g2 = new RedisFloodGate(b, opts, undefined, 'test:');
    const verdicts = [await g1.hit('c'), await g2.hit('c'), await g1.hit('c'), await g2.hit('c'), await g1.hit('c')];
    expect(verdicts).toEqual(['ok', 'ok', 'ok', 'warn', 'drop']);
    expect(await a.client.pttl('test:flood:c')).toBeGreaterThan(0);
  });

  it('shares seen update ids across instances', async () => {
    const d1 = new RedisUpdateDedup(a, 60_000, undefined, 'test:');
    const d2 = new RedisUpdateDedup(b, 60_000, undefined, 'test:');
    expect(await d1.first(99)).toBe(true);
    expect(await d2.first(99)).toBe(false);
  });

  it('degrades when Redis dies (fast, logged once) and recovers by itself', async () => {
    const store = new RedisSessionStore(a, 60_000, 'test:');
    await server.kill();
    logs = '';
    const started = performance.now();
    for (let i = 0; i < 20; i++) {
      expect(await store.get('x')).toBeUndefined();
      await store.set('x', newSession());
    }
    expect(performance.now() - started).toBeLessThan(20 * 2 * 250);
    expect(logs.match(/redis_unavailable/g)?.length ?? 0).toBeLessThanOrEqual(1);
    await server.restart();
    const deadline = Date.now() + 10_000;
    while (!a.isHealthy && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 100));
    expect(a.isHealthy).toBe(true);
    await store.set('x', { ...newSession(), frame: { topic: 'realname.remove', facet: null, entities: {} } });
    expect((await store.get('x'))?.frame?.topic).toBe('realname.remove');
  });
});
