import { describe, it, expect } from 'vitest';
import { MemorySessionStore } from '../../src/session/store.js';
import { KeyedQueue } from '../../src/session/keyed-queue.js';
import { initialState as newSession } from '../../src/engine/state.js';

describe('MemorySessionStore', () => {
  it('returns what was set, as a copy', async () => {
    const store = new MemorySessionStore({ ttlMs: 1000 });
    const s = { ...newSession(), frame: { topic: 'account.delete', facet: null, entities: {} } };
    await store.set('a', s);
    const got = await store.get('a');
    expect(got).toEqual(s);
    got!.frame!.topic = 'changed';
    expect((await store.get('a'))!.frame!.topic).toBe('account.delete');
  });

  it('expires entries after the TTL', async () => {
    let now = 0;
    const store = new MemorySessionStore({ ttlMs: 1000, now: () => now });
    await store.set('a', newSession());
    now = 999;
    expect(await store.get('a')).toBeDefined();
    now = 2000;
    expect(await store.get('a')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const store = new MemorySessionStore({ ttlMs: 60_000, maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) await store.set(k, newSession());
    await store.get('a');
    await store.set('d', newSession());
    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBeDefined();
  });

  it('deletes', async () => {
    const store = new MemorySessionStore({ ttlMs: 1000 });
    await store.set('a', newSession());
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
  });
});

describe('KeyedQueue', () => {
  it('runs tasks of one key in order, one at a time, and other keys alongside', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const task = (k: string, i: number, ms: number) => q.run(k, async () => {
      log.push(`${k}${i}+`);
      await new Promise((ok) => setTimeout(ok, ms));
      log.push(`${k}${i}-`);
    });
    await Promise.all([task('a', 1, 20), task('a', 2, 1), task('b', 1, 5)]);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('a2+'));
    expect(log.indexOf('b1+')).toBeLessThan(log.indexOf('a1-'));
    expect(q.pending).toBe(0);
  });

  it('keeps going after a failing task', async () => {
    const q = new KeyedQueue();
    await expect(q.run('a', async () => { throw new Error('x'); })).rejects.toThrow('x');
    await expect(q.run('a', async () => 2)).resolves.toBe(2);
  });
});
