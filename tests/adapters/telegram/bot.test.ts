/**
 * Telegram behaviour through bot.handleUpdate() with botInfo preset and a
 * stub Bot API on 127.0.0.1 that records the outbox. No network.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Writable } from 'node:stream';
import type { Telegraf } from 'telegraf';
import { createTelegramBot } from '../../../src/adapters/telegram/bot.js';
import { registerCommands } from '../../../src/adapters/telegram/run.js';
import { MemorySessionStore } from '../../../src/session/store.js';
import { createLogger } from '../../../src/log.js';
import { realEngine } from '../../helpers.js';
import { startStubApi, type StubApi } from './stub-api.js';
import * as f from './fixtures.js';

const TOKEN = '123456:TESTTOKENabcdefghijklmnopqrstu';

let api: StubApi;
let bot: Telegraf;
let logs: string;
let waits: number[];
let clock: number;
let store: MemorySessionStore;

beforeEach(async () => {
  api = await startStubApi();
  logs = '';
  waits = [];
  clock = 1_700_000_000_000;
  const sink = new Writable({ write: (c, _e, cb) => ((logs += c.toString()), cb()) });
  store = new MemorySessionStore({ ttlMs: realEngine().contextTtlMs, now: () => clock });
  bot = createTelegramBot({
    token: TOKEN,
    engine: realEngine(),
    store,
    logger: createLogger('debug', sink),
    apiRoot: api.apiRoot,
    botInfo: f.BOT_INFO as any,
    now: () => clock,
    sleep: async (ms) => void waits.push(ms),
    retry: { attempts: 3, baseDelayMs: 10, maxRetryAfterMs: 60_000 },
  });
});
afterEach(() => api.close());

const sent = () => api.of('sendMessage').map((c) => c.payload);
const lastSent = () => sent().at(-1)!;
const buttons = (p: Record<string, any>) => (p.reply_markup?.inline_keyboard ?? []).flat() as { text: string; callback_data: string }[];

describe('private chat', () => {
  it('answers a question in HTML with suggestion buttons and channel pointers last', async () => {
    await bot.handleUpdate(f.textUpdate('微信怎么解除实名认证') as any);
    const reply = lastSent();
    expect(reply.parse_mode).toBe('HTML');
    expect(reply.text).toContain('注销微信支付');
    expect(reply.text.lastIndexOf('官方渠道')).toBeGreaterThan(reply.text.indexOf('注销微信支付'));
    expect(reply.text.length).toBeLessThan(4096);
    const b = buttons(reply);
    expect(b.length).toBeGreaterThan(2);
    for (const x of b) expect(Buffer.byteLength(x.callback_data)).toBeLessThanOrEqual(64);
    expect(b.map((x) => x.text)).toContain('👍 有帮助');
  });

  it('keeps follow-up context between messages', async () => {
    await bot.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    await bot.handleUpdate(f.textUpdate('要多久?') as any);
    expect(lastSent().text).toContain('以申请页面');
  });

  it('answers a pressed suggestion in the same context, and always answers the callback', async () => {
    await bot.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    const b = buttons(lastSent()).find((x) => x.callback_data.startsWith('s|account.delete|'))!;
    await bot.handleUpdate(f.callbackUpdate(b.callback_data) as any);
    expect(api.of('answerCallbackQuery')).toHaveLength(1);
    expect(sent()).toHaveLength(2);
    expect(lastSent().text).toContain(b.text);
  });

  it('a button from an old message still works after the context expired', async () => {
    clock += 3 * 60 * 60_000;
    await bot.handleUpdate(f.callbackUpdate('s|account.delete|duration') as any);
    expect(lastSent().text).toContain('以申请页面');
    expect(api.of('answerCallbackQuery')).toHaveLength(1);
  });

  it('answers unknown or stale buttons and feedback with answerCallbackQuery only', async () => {
    await bot.handleUpdate(f.callbackUpdate('s|no.such|') as any);
    await bot.handleUpdate(f.callbackUpdate('garbage') as any);
    await bot.handleUpdate(f.callbackUpdate('f|+|account.delete') as any);
    expect(api.of('answerCallbackQuery')).toHaveLength(3);
    expect(sent()).toHaveLength(0);
    expect(logs).toMatch(/"event":"feedback","topic":"account.delete","useful":true/);
  });

  it('asks for text when it gets a sticker, and answers edited messages as new questions', async () => {
    await bot.handleUpdate(f.stickerUpdate() as any);
    expect(lastSent().text).toMatch(/文字/);
    await bot.handleUpdate(f.editedUpdate('怎么注销微信账号') as any);
    expect(lastSent().text).toContain('注销微信账号');
  });
});

describe('commands', () => {
  it('/start welcomes with the main topics as buttons', async () => {
    await bot.handleUpdate(f.commandUpdate('/start') as any);
    expect(lastSent().text).toMatch(/不是腾讯或微信的官方服务/);
    expect(buttons(lastSent()).some((b) => b.callback_data === 's|realname.remove|')).toBe(true);
  });

  it('/start account_delete opens that topic (deep link)', async () => {
    await bot.handleUpdate(f.commandUpdate('/start account_delete') as any);
    expect(lastSent().text).toContain('<b>注销微信账号</b>');
  });

  it('/help, /topics, /contact, /about and /reset', async () => {
    await bot.handleUpdate(f.commandUpdate('/help') as any);
    await bot.handleUpdate(f.commandUpdate('/topics') as any);
    expect(buttons(lastSent()).length).toBeGreaterThanOrEqual(16);
    await bot.handleUpdate(f.commandUpdate('/contact') as any);
    expect(lastSent().text).toContain('95017');
    await bot.handleUpdate(f.commandUpdate('/about') as any);
    expect(lastSent().text).toMatch(/不是腾讯或微信的官方服务/);
    expect(lastSent().text).toMatch(/不保存你的聊天内容/);
    await bot.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    await bot.handleUpdate(f.commandUpdate('/reset') as any);
    await bot.handleUpdate(f.textUpdate('要多久?') as any);
    expect(lastSent().text).not.toContain('以申请页面');
  });

  it('tolerates a failing setMyCommands', async () => {
    api.script('setMyCommands', { status: 500, body: { ok: false, error_code: 500, description: 'nope' } }, { status: 500, body: {} }, { status: 500, body: {} }, { status: 500, body: {} });
    await expect(registerCommands(bot, createLogger('silent'))).resolves.toBeUndefined();
  });
});

describe('groups', () => {
  const group = f.groupChat();
  it('ignores plain messages and answers mentions and replies to the bot', async () => {
    await bot.handleUpdate(f.textUpdate('怎么注销微信账号', { chat: group }) as any);
    expect(sent()).toHaveLength(0);
    await bot.handleUpdate(f.mentionUpdate('@helper_bot 怎么注销微信账号', { chat: group }) as any);
    expect(lastSent().text).toContain('注销微信账号');
    await bot.handleUpdate(f.textUpdate('要多久', { chat: group, replyTo: { ...f.textMessage('x'), from: f.BOT } as any }) as any);
    expect(lastSent().text).toContain('以申请页面');
  });

  it('keeps each member’s context apart', async () => {
    const a = f.user(1);
    const b = f.user(2);
    await bot.handleUpdate(f.mentionUpdate('@helper_bot 怎么注销微信账号', { chat: group, from: a }) as any);
    await bot.handleUpdate(f.mentionUpdate('@helper_bot 微信怎么解除实名认证', { chat: group, from: b }) as any);
    await bot.handleUpdate(f.mentionUpdate('@helper_bot 要多久', { chat: group, from: a }) as any);
    expect(lastSent().text).toContain('以申请页面');
  });

  it('answers commands in groups', async () => {
    await bot.handleUpdate(f.commandUpdate('/contact@helper_bot', { chat: group }) as any);
    expect(lastSent().text).toContain('95017');
  });
});

describe('inline mode', () => {
  it('offers up to 3 shareable answers', async () => {
    await bot.handleUpdate(f.inlineUpdate('注销') as any);
    const [call] = api.of('answerInlineQuery');
    expect(call!.payload.results.length).toBeGreaterThan(0);
    expect(call!.payload.results.length).toBeLessThanOrEqual(3);
    expect(call!.payload.results[0].input_message_content.parse_mode).toBe('HTML');
    expect(call!.payload.cache_time).toBe(300);
  });
});

describe('sessions under concurrency', () => {
  it('100 updates of one chat at once do not clobber its session', async () => {
    const first = bot.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    const rest = Array.from({ length: 99 }, () => bot.handleUpdate(f.textUpdate('要多久?') as any));
    await Promise.all([first, ...rest]);
    const texts = sent().map((p) => p.text as string);
    expect(texts).toHaveLength(100);
    expect(texts.slice(1).every((t) => t.includes('以申请页面'))).toBe(true);
  });
});

describe('sending', () => {
  it('honours 429 retry_after and loses no reply', async () => {
    api.script('sendMessage', { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 3 } } });
    await bot.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    expect(waits).toContain(3000);
    expect(api.of('sendMessage')).toHaveLength(2);
  });

  it('retries 500s and dropped connections a bounded number of times, logs, and serves the next update', async () => {
    api.script('sendMessage', 'drop', { status: 500, body: { ok: false, error_code: 500, description: 'x' } }, { status: 500, body: {} }, { status: 500, body: {} });
    await bot.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    expect(api.of('sendMessage')).toHaveLength(4);
    expect(logs).toMatch(/"event":"update_failed"/);
    await bot.handleUpdate(f.textUpdate('微信怎么解除实名认证') as any);
    expect(lastSent().text).toContain('注销微信支付');
  });
});

describe('logs', () => {
  it('hold no message text, no ID number, no token; chat ids are hashed', async () => {
    await bot.handleUpdate(f.textUpdate('我的身份证110101199003074514被冒用了', { from: f.user(987654321) }) as any);
    await bot.handleUpdate(f.textUpdate('怎么注销微信账号', { from: f.user(987654321) }) as any);
    expect(logs).toMatch(/"event":"reply"/);
    expect(logs).not.toContain('110101199003074514');
    expect(logs).not.toContain('怎么注销微信账号');
    expect(logs).not.toContain('987654321');
    expect(logs).not.toContain(TOKEN);
  });

  it('bad updates are ignored with a log line, never a crash', async () => {
    await expect(bot.handleUpdate({ update_id: 1, something_new: {} } as any)).resolves.not.toThrow();
    expect(logs).toMatch(/"event":"ignored_update"/);
    await expect(bot.handleUpdate({ update_id: 2, message: { message_id: 1, date: 0 } } as any)).resolves.not.toThrow();
    await bot.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    expect(lastSent().text).toContain('注销微信账号');
  });
});

describe('flood control and duplicates', () => {
  it('answers a flooding chat once with "slow down", then stays silent until the window passes', async () => {
    const { MemoryFloodGate, MemoryUpdateDedup } = await import('../../../src/session/guards.js');
    const flooded = createTelegramBot({
      token: TOKEN,
      engine: realEngine(),
      store,
      logger: createLogger('silent'),
      apiRoot: api.apiRoot,
      botInfo: f.BOT_INFO as any,
      floodGate: new MemoryFloodGate({ max: 3, windowMs: 60_000, now: () => clock }),
      dedup: new MemoryUpdateDedup(),
    });
    for (let i = 0; i < 6; i++) await flooded.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    const texts = sent().map((p) => p.text as string);
    expect(texts).toHaveLength(4);
    expect(texts[3]).toMatch(/稍等/);
    clock += 61_000;
    await flooded.handleUpdate(f.textUpdate('怎么注销微信账号') as any);
    expect(sent()).toHaveLength(5);
  });

  it('does not answer an update id twice', async () => {
    const { MemoryUpdateDedup } = await import('../../../src/session/guards.js');
    const deduped = createTelegramBot({
      token: TOKEN, engine: realEngine(), store, logger: createLogger('silent'), apiRoot: api.apiRoot, botInfo: f.BOT_INFO as any, dedup: new MemoryUpdateDedup(),
    });
    const update = f.textUpdate('怎么注销微信账号');
    await deduped.handleUpdate(update as any);
    await deduped.handleUpdate(update as any);
    expect(sent()).toHaveLength(1);
  });
});
