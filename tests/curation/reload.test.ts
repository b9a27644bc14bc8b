/**
 * Hot reload under load: the web chat on 127.0.0.1 in this process, over a copy of the data,
 * answers a steady stream of questions while the content is broken, fixed and reloaded (by
 * call, by CONTENT_WATCH and by SIGHUP). Nothing is dropped, a broken edit leaves the old
 * knowledge serving, a fixed one is picked up, sessions survive, and /metrics counts it all.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { isMainThread } from 'node:worker_threads';
import { Writable } from 'node:stream';
import { createWebChannel } from '../../src/adapters/web/channel.js';
import { loadEnv } from '../../src/config/env.js';
import { loadContent } from '../../src/content/load.js';
import { createEngine } from '../../src/engine/engine.js';
import { createLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { createHttpServer, type HttpServer } from '../../src/server/http.js';
import { MemorySessionStore } from '../../src/session/store.js';
import { acceptPhrasings, appendToUtterances } from '../../src/curation/accept.js';
import { channelEngine, createEngineHandle, type EngineHandle } from '../../src/curation/engine-handle.js';
import { createTurnRecorder } from '../../src/curation/recorder.js';
import { createContentReloader, type ContentReloader } from '../../src/curation/reload.js';
import { createCuration } from '../../src/curation/runtime.js';
import { copyOfData } from '../helpers.js';
import { ChatClient } from '../adapters/web/web-server.js';

const UNANSWERED = ['刷脸认证不通过怎么办', '刷脸失败怎么办'];
const LOAD_QUESTIONS = ['微信怎么解除实名认证', '注销账号要多久', '红包限额是多少', '要多久?', '客服电话是多少', '刷脸失败怎么办', '1'];

let copy: ReturnType<typeof copyOfData>;
let handle: EngineHandle;
let metrics: Metrics;
let server: HttpServer;
let reloader: ContentReloader;
let base: string;
let logs = '';

beforeAll(async () => {
  copy = copyOfData();
  handle = createEngineHandle(createEngine(loadContent(copy.root)));
  metrics = createMetrics();
  const logger = createLogger('info', new Writable({ write: (c, _e, done) => ((logs += c.toString()), done()) }));
  const recorder = createTurnRecorder({ registry: metrics.registry });
  const web = createWebChannel({
    engine: channelEngine(handle, 'web', recorder),
    store: new MemorySessionStore({ ttlMs: handle.contextTtlMs }),
    logger,
    metrics,
    limits: { session: { max: 100_000, windowMs: 60_000 }, address: { max: 1_000_000, windowMs: 60_000 } },
  });
  server = createHttpServer({ routes: web.routes, logger, metrics: metrics.registry });
  await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  reloader = createContentReloader({ root: copy.root, handle, build: (kb) => createEngine(kb), logger, registry: metrics.registry, debounceMs: 100 });
});

afterAll(async () => {
  reloader.close();
  await server.close();
  copy.cleanup();
});

/** Clients asking without pause until stopped; every request must get a reply. */
function startLoad(clients = 6) {
  let running = true;
  const stats = { sent: 0, answered: 0, failures: [] as string[], maxMs: 0 };
  const loops = Array.from({ length: clients }, async (_, c) => {
    const client = new ChatClient(base);
    for (let i = c; running; i++) {
      const started = performance.now();
      stats.sent++;
      try {
        const res = await client.post('/api/chat', { text: LOAD_QUESTIONS[i % LOAD_QUESTIONS.length] });
        if (res.status === 200 && typeof res.body?.reply?.kind === 'string') stats.answered++;
        else stats.failures.push(`HTTP ${res.status}`);
      } catch (err) {
        stats.failures.push(String(err));
      }
      stats.maxMs = Math.max(stats.maxMs, performance.now() - started);
    }
  });
  return {
    stats,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

const ask = async (client: ChatClient, text: string) => (await client.post('/api/chat', { text })).body.reply as { kind: string; topic: string | null; facet: string | null };
const until = async (check: () => Promise<boolean> | boolean, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((ok) => setTimeout(ok, 50));
  }
};

describe('hot reload under load', () => {
  it('answers every message during reloads; a broken edit keeps the old knowledge; the fix is picked up; sessions survive', async () => {
    const talker = new ChatClient(base);
    const probe = new ChatClient(base);
    expect(await ask(talker, '怎么注销微信账号')).toMatchObject({ kind: 'answer', topic: 'account.delete' });
    for (const q of UNANSWERED) expect((await ask(new ChatClient(base), q)).kind).not.toBe('answer');

    const load = startLoad();
    await until(() => load.stats.answered > 20);

    // 1. A broken edit: a YAML error and a phone number typed into content.
    copy.edit('intents/realname.verify.yaml', (t) => t + '\n  - [unclosed\n');
    copy.edit('content/account.delete.md', (t) => t.replace(/\n## /, '\n客服电话 95017 转 1。\n\n## '));
    const broken = await reloader.reload('test');
    expect(broken.ok).toBe(false);
    const problems = broken.ok ? [] : broken.problems;
    expect(problems.some((p) => /^intents\/realname\.verify\.yaml:\d+: YAML error/.test(p))).toBe(true);
    // The same lines npm run check prints, each logged.
    for (const p of problems) expect(logs).toContain(JSON.stringify(p).slice(1, -1));
    expect(logs).toContain('"event":"content_reload_failed"');
    expect(handle.generation).toBe(0);
    expect(await ask(probe, '微信实名认证怎么弄')).toMatchObject({ kind: 'answer', topic: 'realname.verify' });

    // 2. The fix, with the unanswered group accepted into realname.verify.
    copy.edit('intents/realname.verify.yaml', (t) => t.replace('\n  - [unclosed\n', '\n'));
    copy.edit('content/account.delete.md', (t) => t.replace('\n客服电话 95017 转 1。\n', ''));
    expect(acceptPhrasings(copy.root, 'realname.verify', ['刷脸认证不通过怎么办', '人脸识别一直失败', '刷脸失败怎么办'], { date: '2026-12-01' }).added).toHaveLength(3);
    const fixed = await reloader.reload('test');
    expect(fixed).toMatchObject({ ok: true });
    expect(handle.generation).toBe(1);
    for (const q of UNANSWERED) expect(await ask(new ChatClient(base), q)).toMatchObject({ kind: 'answer', topic: 'realname.verify' });

    // 3. CONTENT_WATCH: an edit reloads by itself.
    reloader.watch();
    copy.edit('intents/realname.verify.yaml', (t) => appendToUtterances(t, ['人脸识别总是不通过'], 'by hand'));
    await until(() => handle.generation === 2);
    reloader.close();

    // The conversation started before the reloads goes on.
    expect(await ask(talker, '要多久?')).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'duration' });

    const stats = await load.stop();
    expect(stats.failures).toEqual([]);
    expect(stats.answered).toBe(stats.sent);
    expect(stats.sent).toBeGreaterThan(50);
    // For the record: the longest wait was one engine build (a second or two of CPU here).
    console.log(`hot reload under load: ${stats.answered}/${stats.sent} answered, longest ${Math.round(stats.maxMs)} ms`);

    const text = await (await fetch(base + '/metrics')).text();
    expect(text).toContain('content_reloads_total{result="failed"} 1');
    expect(text).toContain('content_reloads_total{result="ok"} 2');
    expect(text).toMatch(/bot_questions_total\{channel="web",kind="fallback"\} \d+/);
    expect(text).toMatch(/bot_no_answer_rate\{channel="web"\} 0\.\d+/);
    expect(text).toMatch(/bot_clarify_rate\{channel="web"\} [\d.]+/);
    expect(text).toMatch(/bot_suggestions_total\{channel="web",event="offered"\} \d+/);
    expect(text).toMatch(/bot_suggestions_followed_rate\{channel="web"\} [\d.]+/);
  });

  it('shows 👍/👎 per channel and topic in /metrics', async () => {
    const client = new ChatClient(base);
    await ask(client, '怎么注销微信账号');
    expect((await client.post('/api/feedback', { topic: 'account.delete', useful: false })).status).toBe(204);
    expect(await (await fetch(base + '/metrics')).text()).toContain('bot_feedback_total{channel="web",topic="account.delete",useful="false"} 1');
  });
});

describe.skipIf(!isMainThread)('SIGHUP', () => {
  it('reloads the content into the running engine handle', async () => {
    const env = loadEnv({});
    const logger = createLogger('silent');
    const curation = createCuration({ env, engine: handle.current, logger, reload: true, root: copy.root, registry: metrics.registry });
    try {
      process.kill(process.pid, 'SIGHUP');
      await until(() => curation.handle.generation === 1);
      expect(curation.channel('web').respond(null, '刷脸失败怎么办').reply).toMatchObject({ kind: 'answer', topic: 'realname.verify' });
    } finally {
      await curation.close();
    }
  });
});
