/**
 * What the logs may hold: ids only as a keyed hash (HMAC with LOG_HASH_KEY), never a
 * message's ID number, card number or text. The bot part pushes updates through
 * bot.handleUpdate() with a stub Bot API, as tests/adapters/telegram/bot.test.ts does.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Telegraf } from 'telegraf';
import { configureLogHashKey, createLogger, hashId, logHashKeyed } from '../src/log.js';
import { createTelegramBot } from '../src/adapters/telegram/bot.js';
import { MemorySessionStore } from '../src/session/store.js';
import { MemoryFloodGate } from '../src/session/guards.js';
import { PROJECT_ROOT } from '../src/content/load.js';
import { realEngine } from './helpers.js';
import { startStubApi, type StubApi } from './adapters/telegram/stub-api.js';
import * as f from './adapters/telegram/fixtures.js';

const KEY = 'test-log-hash-key-0123456789';
const TOKEN = '123456:TESTTOKENabcdefghijklmnopqrstu';
/** What a keyed hash of `id` must be: HMAC-SHA-256 with the key, 12 hex digits. */
const hmac = (id: number | string, key = KEY) => createHmac('sha256', key).update(String(id)).digest('hex').slice(0, 12);
/** The unkeyed hash the logs used before: anyone could hash every chat id and match it. */
const oldHash = (id: number | string) => createHash('sha256').update(`realname-helper:${id}`).digest('hex').slice(0, 12);

afterEach(() => configureLogHashKey(KEY));

describe('hashId', () => {
  it('is HMAC-SHA-256 with the configured key, not the old unkeyed hash', () => {
    configureLogHashKey(KEY);
    expect(hashId(987654321)).toBe(hmac(987654321));
    expect(hashId('987654321')).toBe(hashId(987654321));
    expect(hashId(987654321)).not.toBe(oldHash(987654321));
    expect(hashId(987654321)).not.toBe(hmac(987654321, 'another-key-0123456789'));
    expect(logHashKeyed()).toBe(true);
  });

  it('without a key uses a random one: stable within the process, new on every start', () => {
    configureLogHashKey(undefined);
    expect(logHashKeyed()).toBe(false);
    const first = hashId(987654321);
    expect(hashId(987654321)).toBe(first);
    expect(first).not.toBe(oldHash(987654321));
    configureLogHashKey(undefined); // what a restart does
    expect(hashId(987654321)).not.toBe(first);
  });

  // A fresh process, as every entry point is: LOG_HASH_KEY is read on first use.
  const run = (env: Record<string, string | undefined>) => {
    const code = [
      `import { createLogger, hashId } from ${JSON.stringify(`${PROJECT_ROOT}/src/log.ts`)};`,
      `createLogger('info');`,
      `createLogger('info');`,
      `process.stdout.write(hashId(987654321));`,
    ].join('\n');
    const { LOG_HASH_KEY: _ignored, ...rest } = process.env;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: PROJECT_ROOT,
      env: { ...rest, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return { hash: r.stdout, logs: r.stderr.trim() ? r.stderr.trim().split('\n') : [] };
  };

  it('reads LOG_HASH_KEY from the environment by itself and logs no notice', () => {
    const { hash, logs } = run({ LOG_HASH_KEY: KEY });
    expect(hash).toBe(hmac(987654321));
    expect(logs).toEqual([]);
  });

  it('without LOG_HASH_KEY logs one info line saying so (without the key), and hashes differ per process', () => {
    const a = run({});
    const b = run({});
    expect(a.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(a.hash).not.toBe(b.hash);
    expect(a.hash).not.toBe(oldHash(987654321));
    expect(a.logs).toHaveLength(1);
    const line = JSON.parse(a.logs[0]!);
    expect(line).toMatchObject({ level: 30, event: 'log_hash_key', keyed: false });
    expect(line.msg).toMatch(/LOG_HASH_KEY is not set.*random key.*restart/);
  });
});

describe('Telegram logs', () => {
  const ID_NUMBER = '110101199003074578';
  const CARD_NUMBER = '6222021234567890123';
  const USER_ID = 555123457;
  const GROUP_ID = -100987654321;
  let api: StubApi;
  let bot: Telegraf;
  let logs: string;

  beforeEach(async () => {
    configureLogHashKey(KEY);
    api = await startStubApi();
    logs = '';
    const sink = new Writable({ write: (c, _e, cb) => ((logs += c.toString()), cb()) });
    bot = createTelegramBot({
      token: TOKEN,
      engine: realEngine(),
      store: new MemorySessionStore({ ttlMs: realEngine().contextTtlMs }),
      logger: createLogger('debug', sink),
      apiRoot: api.apiRoot,
      botInfo: f.BOT_INFO as any,
      // A low limit, so the flood warning (which names the chat) is logged too.
      floodGate: new MemoryFloodGate({ max: 3, windowMs: 60_000 }),
      sleep: async () => {},
      retry: { attempts: 1, baseDelayMs: 1, maxRetryAfterMs: 1 },
    });
  });
  afterEach(() => api.close());

  it('hold no ID number, card number, message text or chat id; chats appear only as their keyed hash', async () => {
    const from = f.user(USER_ID);
    const question = `我的身份证${ID_NUMBER}和银行卡${CARD_NUMBER}被别人绑了微信怎么办`;
    await bot.handleUpdate(f.textUpdate(question, { from }) as any);
    // A failed send: the error line names the chat too.
    api.script('sendMessage', { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } });
    await bot.handleUpdate(f.textUpdate(`卡号 ${CARD_NUMBER} 怎么解绑`, { from }) as any);
    // In a group: the chat id differs from the user id.
    await bot.handleUpdate(f.mentionUpdate(`@${f.BOT.username} 身份证号${ID_NUMBER}能查名下微信吗`, { from, chat: f.groupChat(GROUP_ID) }) as any);
    // The fourth and fifth message within the window: flood control logs the chat.
    await bot.handleUpdate(f.textUpdate('要多久', { from }) as any);
    await bot.handleUpdate(f.textUpdate('要多久', { from }) as any);

    expect(logs).toMatch(/"event":"reply"/);
    expect(logs).toMatch(/"event":"update_failed"/);
    expect(logs).toMatch(/"event":"flood"/);
    for (const planted of [ID_NUMBER, CARD_NUMBER, String(USER_ID), String(GROUP_ID), String(-GROUP_ID), question, '怎么解绑', TOKEN, KEY]) {
      expect(logs).not.toContain(planted);
    }
    const chats = logs
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { chat?: string | null })
      .flatMap((l) => (l.chat ? [l.chat] : []));
    expect(new Set(chats)).toEqual(new Set([hmac(USER_ID), hmac(GROUP_ID)]));
    for (const id of [USER_ID, GROUP_ID]) expect(logs).not.toContain(oldHash(id));
  });

  it('/about says the hash is keyed, and that the key changes on restart when none is set', async () => {
    await bot.handleUpdate(f.commandUpdate('/about') as any);
    const keyed = api.of('sendMessage').at(-1)!.payload.text as string;
    expect(keyed).toContain('带密钥的哈希');
    expect(keyed).not.toContain('不可还原');
    expect(keyed).not.toContain('每次重启');

    configureLogHashKey(undefined);
    await bot.handleUpdate(f.commandUpdate('/about') as any);
    expect(api.of('sendMessage').at(-1)!.payload.text).toContain('每次重启都会换新');
  });
});
