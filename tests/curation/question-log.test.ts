/**
 * The question log: what it keeps (privacy), how long (retention, with a fake clock), in files
 * and in Redis (skipped without redis-server, as the other Redis tests are).
 */
import { describe, it, expect, beforeEach, afterEach, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { Telegraf } from 'telegraf';
import { createTelegramBot } from '../../src/adapters/telegram/bot.js';
import { createWebChannel } from '../../src/adapters/web/channel.js';
import { createHttpServer } from '../../src/server/http.js';
import { createLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics.js';
import { MemorySessionStore } from '../../src/session/store.js';
import { SharedRedis } from '../../src/session/redis.js';
import { channelEngine, createEngineHandle } from '../../src/curation/engine-handle.js';
import { DAY_MS, FileQuestionLog, logText, RedisQuestionLog, utcDay, type LogEntry, type QuestionLog } from '../../src/curation/question-log.js';
import { createTurnRecorder } from '../../src/curation/recorder.js';
import { encodeCallback } from '../../src/adapters/telegram/keyboard.js';
import { realEngine } from '../helpers.js';
import { startStubApi, type StubApi } from '../adapters/telegram/stub-api.js';
import * as f from '../adapters/telegram/fixtures.js';
import { hasRedis, startRedis, type RedisProcess } from '../production/redis-server.js';

const ID_NUMBER = '110101199003074578';
const CARD_NUMBER = '6222021234567890123';
const PHONE = '13812345678';
const CODE = '123456';
const PLANTED = [ID_NUMBER, CARD_NUMBER, PHONE, CODE, '1101', '6222 0212', '138 1234'];
const TOKEN = '123456:TESTTOKENabcdefghijklmnopqrstu';
const quiet = () => createLogger('silent');

/** Every byte under `dir`. */
const everything = (dir: string) => (existsSync(dir) ? readdirSync(dir).map((n) => readFileSync(join(dir, n), 'utf8')).join('\n') : '');
const linesOf = (dir: string) =>
  everything(dir)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const ALLOWED_KEYS = new Set(['type', 't', 'channel', 'reason', 'kind', 'topic', 'facet', 'confidence', 'candidates', 'text', 'useful', 'typed', 'kinds', 'buttons', 'offered', 'followed']);

describe('logText', () => {
  it('removes ID, card and phone numbers and codes before normalising, and any long digit run after', () => {
    const raw = `我的身份证${ID_NUMBER},卡号 6222 0212 3456 7890 123,手机${PHONE},验证码${CODE},QQ 12345678 怎么办?`;
    const text = logText(raw);
    for (const p of PLANTED) expect(text).not.toContain(p);
    expect(text).not.toMatch(/\d{5,}/);
    expect(text).toContain('怎么办');
    expect(logText('客服95017打不通')).toBe('客服95017打不通');
    expect(logText('註銷帳號要多久?')).toBe('注销帐号要多久');
    expect(logText('１１０１０１１９９００３０７４５７８')).toBe('');
  });
});

describe('privacy: what reaches the log through the channels', () => {
  let base: string;
  let dir: string;
  let log: FileQuestionLog;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'qlog-privacy-'));
    dir = join(base, 'question-log');
    log = new FileQuestionLog(dir, { days: 30 });
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('keeps no planted number, no raw text, no chat, user or session id (web and Telegram)', async () => {
    const registry = new Registry();
    const recorder = createTurnRecorder({ log, registry, logBelow: 0.5 });
    const handle = createEngineHandle(realEngine());

    // The web chat over HTTP, with its session cookie.
    const metrics = createMetrics();
    const web = createWebChannel({ engine: channelEngine(handle, 'web', recorder), store: new MemorySessionStore({ ttlMs: 60_000 }), logger: quiet(), metrics });
    const server = createHttpServer({ routes: web.routes, logger: quiet(), metrics: metrics.registry });
    await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
    let cookie = '';
    const post = async (path: string, body: unknown) => {
      const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
      cookie = (res.headers.get('set-cookie') ?? cookie).split(';')[0]!;
      return res.status === 204 ? null : ((await res.json()) as { reply: { kind: string; topic: string }; session: string });
    };
    const questions = [
      `我的身份证号${ID_NUMBER}能买股票吗`, // fallback or weak
      `卡号${CARD_NUMBER}红包限额是多少`, // fallback
      `手机号${PHONE}收到验证码${CODE}是不是诈骗,转账多久到账`,
      `${ID_NUMBER}`, // nothing left: not logged
    ];
    let session = '';
    for (const q of questions) session = (await post('/api/chat', { text: q }))!.session;
    // An answer with a card number in the question, then 👎 on it: the question is logged, redacted.
    const answered = (await post('/api/chat', { text: `银行卡${CARD_NUMBER}怎么解绑` }))!;
    expect(answered.reply.kind).toBe('answer');
    await post('/api/feedback', { topic: answered.reply.topic, useful: false });
    await server.close();

    // Telegram: a private chat and a group, a question and a 👎 callback.
    const api: StubApi = await startStubApi();
    const telegramMetrics = createMetrics();
    const CHAT = -100987654321;
    const USER = 555123457;
    const bot: Telegraf = createTelegramBot({
      token: TOKEN,
      engine: channelEngine(handle, 'telegram', recorder),
      store: new MemorySessionStore({ ttlMs: 60_000 }),
      logger: quiet(),
      apiRoot: api.apiRoot,
      botInfo: f.BOT_INFO as any,
      metrics: telegramMetrics,
      sleep: async () => {},
      retry: { attempts: 1, baseDelayMs: 1, maxRetryAfterMs: 1 },
    });
    const from = f.user(USER);
    await bot.handleUpdate(f.textUpdate(`身份证${ID_NUMBER}朋友圈怎么设置三天可见`, { from }) as any);
    await bot.handleUpdate(f.textUpdate(`验证码${CODE} 微信账号怎么注销`, { from, chat: f.privateChat(USER) }) as any);
    await bot.handleUpdate(f.callbackUpdate(encodeCallback({ type: 'feedback', topic: 'account.delete', useful: false })!, { from, chat: f.privateChat(USER) }) as any);
    await bot.handleUpdate(f.mentionUpdate(`@helper_bot 手机${PHONE}刷脸失败怎么办`, { from, chat: f.groupChat(CHAT) }) as any);
    await api.close();
    // 👍/👎 from Telegram are counted per topic in /metrics, as the web chat's are.
    expect(await telegramMetrics.registry.metrics()).toContain('bot_feedback_total{channel="telegram",topic="account.delete",useful="false"} 1');

    await recorder.close();
    const raw = everything(dir);
    const entries = linesOf(dir);
    expect(entries.filter((e) => e.type === 'question').length).toBeGreaterThanOrEqual(4);
    expect(entries.some((e) => e.type === 'question' && e.reason === 'downvote' && e.channel === 'web')).toBe(true);
    expect(entries.some((e) => e.type === 'question' && e.reason === 'downvote' && e.channel === 'telegram')).toBe(true);
    expect(entries.filter((e) => e.type === 'feedback')).toHaveLength(2);
    for (const p of PLANTED) expect(raw).not.toContain(p);
    for (const e of entries) if (typeof e.text === 'string') expect(e.text).not.toMatch(/\d{5,}/);
    for (const id of [String(USER), String(CHAT), session, cookie.split('=')[1]!]) expect(raw).not.toContain(id);
    // Only the documented fields, and texts only in their normalised form.
    for (const e of entries) for (const k of Object.keys(e)) expect(ALLOWED_KEYS.has(k), k).toBe(true);
    for (const e of entries.filter((e) => e.type === 'question')) {
      expect(e.text).toBe(logText(e.text as string));
      expect(e.text).not.toMatch(/[,。?!:\s]{2}|[A-Z]/);
    }
    // The files are the owner's only.
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o077).toBe(0);
    expect(statSync(dir).mode & 0o077).toBe(0);
  });

  it('with the log off keeps nothing, and the metrics still count', async () => {
    const registry = new Registry();
    const recorder = createTurnRecorder({ registry });
    const engine = channelEngine(realEngine(), 'terminal', recorder);
    engine.respond(null, '红包限额是多少');
    engine.respond(null, '微信怎么注销');
    await recorder.close();
    expect(existsSync(dir)).toBe(false);
    const text = await registry.metrics();
    expect(text).toContain('bot_questions_total{channel="terminal",kind="fallback"} 1');
    expect(text).toContain('bot_no_answer_rate{channel="terminal"} 0.5');
  });
});

/** The same retention test for both stores. */
function retention(make: (now: () => number) => Promise<{ log: QuestionLog; stored: () => Promise<number> }>) {
  return async () => {
    let now = Date.UTC(2026, 0, 10, 12);
    const { log, stored } = await make(() => now);
    const entry = (t: number, text: string): LogEntry => ({ type: 'question', t, channel: 'web', reason: 'fallback', kind: 'fallback', topic: null, facet: null, confidence: 0.1, candidates: [], text });
    log.append(entry(now, 'old question'));
    log.append(entry(now + 1000, 'old question two'));
    await log.ignore({ id: 'gold', texts: ['old question'], at: now });
    await log.flush();
    expect((await log.read()).map((e) => (e as { text: string }).text)).toEqual(['old question', 'old question two']);

    now += 29 * DAY_MS;
    log.append(entry(now, 'recent question'));
    await log.flush();
    expect(await log.read()).toHaveLength(3);

    // 30 days and a bit after the first ones: they are gone, from reads and from storage.
    now += DAY_MS + 2000;
    log.append(entry(now, 'new question'));
    await log.flush();
    await log.prune();
    expect((await log.read()).map((e) => (e as { text: string }).text)).toEqual(['recent question', 'new question']);
    expect(await stored()).toBe(2);
    expect(await log.ignored()).toEqual([]);
    await log.close();
  };
}

describe('retention', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qlog-retention-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'files: entries older than QUESTION_LOG_DAYS are deleted, the day file the cutoff falls in is rewritten',
    retention(async (now) => ({
      log: new FileQuestionLog(dir, { days: 30, now }),
      stored: async () => linesOf(dir).length,
    })),
  );

  it('files: one file per UTC day, appended', async () => {
    let now = Date.UTC(2026, 0, 10, 23, 59);
    const log = new FileQuestionLog(dir, { days: 30, now: () => now });
    log.append({ type: 'feedback', t: now, channel: 'web', topic: 'account.delete', useful: true });
    now += 2 * 60_000;
    log.append({ type: 'feedback', t: now, channel: 'web', topic: 'account.delete', useful: false });
    await log.close();
    expect(readdirSync(dir).sort()).toEqual(['questions-2026-01-10.jsonl', 'questions-2026-01-11.jsonl']);
    expect(utcDay(now)).toBe('2026-01-11');
  });
});

describe.skipIf(!hasRedis)('Redis question log', () => {
  let server: RedisProcess;
  let redis: SharedRedis;
  beforeAll(async () => {
    server = await startRedis();
    redis = new SharedRedis({ url: server.url, logger: quiet(), commandTimeoutMs: 2000 });
    await redis.connect();
  });
  afterAll(async () => {
    await redis.close();
    await server.kill();
  });

  it(
    'a capped stream trimmed by MINID to the retention, with a TTL, and ignored groups that expire too',
    retention(async (now) => {
      const log = new RedisQuestionLog(redis, 'qt1:', { days: 30, now });
      return { log, stored: async () => redis.client.xlen('qt1:qlog') };
    }),
  );

  it('expires with the retention when idle, and caps its length', async () => {
    const log = new RedisQuestionLog(redis, 'qt2:', { days: 2, maxEntries: 100 });
    for (let i = 0; i < 500; i++) log.append({ type: 'feedback', t: Date.now(), channel: 'web', topic: 'account.delete', useful: true });
    await log.flush();
    const ttl = await redis.client.pttl('qt2:qlog');
    expect(ttl).toBeGreaterThan(DAY_MS);
    expect(ttl).toBeLessThanOrEqual(2 * DAY_MS);
    // MAXLEN ~ trims by whole nodes: near the cap, far below what was written.
    expect(await redis.client.xlen('qt2:qlog')).toBeLessThan(300);
    expect((await log.read()).length).toBe(await redis.client.xlen('qt2:qlog'));
  });
});
