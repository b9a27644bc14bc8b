/**
 * End to end: the real process (`node --import tsx src/main.ts`, as `npm start`)
 * with WECHAT_TOKEN set, and the simulator posting to it on 127.0.0.1 as WeChat
 * would, in plaintext, compatibility and security modes.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderWechat, WECHAT_TEXTS } from '../../../src/adapters/wechat/render.js';
import { PROJECT_ROOT } from '../../../src/content/load.js';
import type { Input, Reply, Session } from '../../../src/engine/types.js';
import { freePort } from '../../production/redis-server.js';
import { realEngine } from '../../helpers.js';
import { AES_KEY, APPID, TOKEN } from './harness.js';
import { wechatEncrypt, WechatSimulator, type Mode } from './simulator.js';

const engine = realEngine();
const PATH = '/wx/hook';

/** The engine run directly: what each reply should show. */
class Mirror {
  session: Session | null = null;
  reply: Reply | null = null;
  pages: string[] = [];
  respond(input: Input): string {
    const result = engine.respond(this.session, input, Date.now());
    this.session = result.session;
    return this.show(result.reply, result.session.script === 'traditional');
  }
  show(reply: Reply, traditional = false): string {
    this.reply = reply;
    this.pages = renderWechat(reply, { traditional });
    return this.pages[0]!;
  }
}

/** Only what the process needs: no WeChat, Telegram or Redis settings of the test run leak in. */
const baseEnv = (port: number): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });

let child: ChildProcess;
let logs = '';
let base = '';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...baseEnv(port), WECHAT_TOKEN: TOKEN, WECHAT_APPID: APPID, WECHAT_ENCODING_AES_KEY: AES_KEY, WECHAT_PATH: PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (logs += d.toString()));
  child.stderr!.on('data', (d) => (logs += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the process did not start:\n${logs}`);
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
  }
});

describe.each<Mode>(['plaintext', 'compatibility', 'security'])('the real process in %s mode', (mode) => {
  const sim = () => new WechatSimulator({ url: `${base}${PATH}`, token: TOKEN, mode, appId: APPID, encodingAesKey: AES_KEY });

  it('a follower asks, picks a numbered suggestion, follows up, reads the rest, clicks the menu, unfollows', async () => {
    const s = sim();
    const user = `oE2E_${mode}`;
    const m = new Mirror();
    expect((await s.post(s.event(user, 'subscribe'))).reply!.Content).toBe(m.show(engine.welcome()));
    expect(await s.say(user, '微信怎么解除实名认证')).toBe(m.respond('微信怎么解除实名认证'));
    expect(m.reply!.topic).toBe('realname.remove');
    const pick = m.reply!.suggestions.findIndex((x) => x.kind === 'facet');
    const choice = m.reply!.suggestions[pick]!;
    expect(await s.say(user, String(pick + 1))).toBe(m.respond({ topic: choice.topic, facet: choice.facet }));
    expect(await s.say(user, '需要什么材料?')).toBe(m.respond('需要什么材料?'));
    expect(await s.say(user, '那注销账号要多久')).toBe(m.respond('那注销账号要多久'));
    expect(m.reply!.topic).toBe('account.delete');
    for (const page of m.pages.slice(1)) expect(await s.say(user, '0')).toBe(page);
    const click = await s.post(s.event(user, 'CLICK', 'topic:support.contact'));
    expect(click.reply!.Content).toBe(m.respond({ topic: 'support.contact' }));
    const bye = await s.post(s.event(user, 'unsubscribe'));
    expect([bye.status, bye.raw]).toEqual([200, 'success']);
    // The context is gone: a follow-up alone no longer has a topic.
    expect(await s.say(user, '要多久?')).toBe(new Mirror().respond('要多久?'));
  });

  it('answers a retried message once', async () => {
    const s = sim();
    const user = `oE2ERetry_${mode}`;
    const m = new Mirror();
    expect(await s.say(user, '怎么注销微信账号')).toBe(m.respond('怎么注销微信账号'));
    const retried = s.text(user, '0');
    const replies = await Promise.all([s.post(retried), s.post(retried), s.post(retried)]);
    for (const r of replies) expect(r.reply!.Content).toBe(m.pages[1]);
    for (const page of m.pages.slice(2)) expect(await s.say(user, '0')).toBe(page);
    expect(await s.say(user, '0')).toBe(WECHAT_TEXTS.nothingMore);
  });
});

describe('the real process refuses bad input', () => {
  const plain = () => new WechatSimulator({ url: `${base}${PATH}`, token: TOKEN, mode: 'plaintext' });
  const secure = () => new WechatSimulator({ url: `${base}${PATH}`, token: TOKEN, mode: 'security', appId: APPID, encodingAesKey: AES_KEY });

  it('verifies the server URL, and refuses a wrong signature with 401', async () => {
    const res = await plain().verifyUrl('5838479218127813673');
    expect([res.status, await res.text()]).toEqual([200, '5838479218127813673']);
    expect((await plain().verifyUrl('x', { signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696' })).status).toBe(401);
    const s = plain();
    const { body, query } = s.envelope(s.text('oBad', '你好'));
    query.set('signature', 'f'.repeat(40));
    expect((await s.postRaw(body, query)).status).toBe(401);
    const wrongToken = new WechatSimulator({ url: `${base}${PATH}`, token: 'NOTTHETOKEN', mode: 'security', appId: APPID, encodingAesKey: AES_KEY });
    expect((await wrongToken.post(wrongToken.text('oBad', '你好'))).status).toBe(401);
  });

  it('refuses malformed XML (400), an oversized body (413) and a wrong AppID (400)', async () => {
    const s = plain();
    expect((await s.postRaw('<xml><Content>oops</xml>', s.signedQuery())).status).toBe(400);
    expect((await s.postRaw(`<xml><Content>${'x'.repeat(70_000)}</Content></xml>`, s.signedQuery())).status).toBe(413);
    const e = secure();
    expect((await e.post(e.text('oBad', '你好'), { appId: 'wx1111111111111111' })).status).toBe(400);
  });

  it('refuses an XXE payload, plain or encrypted, and reads no file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wechat-e2e-xxe-'));
    const fifo = join(dir, 'secret');
    execFileSync('mkfifo', [fifo]);
    try {
      const xml = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file://${fifo}">]><xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oX]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>&xxe;</Content><MsgId>7</MsgId></xml>`;
      const s = plain();
      expect((await s.postRaw(xml, s.signedQuery())).status).toBe(400);
      const e = secure();
      const encrypted = wechatEncrypt(AES_KEY, APPID, xml);
      expect((await e.postRaw(`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`, e.signedQuery(encrypted))).status).toBe(400);
      // A reader blocked on the FIFO would let this open succeed; ENXIO means nobody opened it.
      expect(() => closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))).toThrow(/ENXIO/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts WeChat updates in /metrics and logs no OpenID, text or secret', async () => {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/bot_channel_updates_total\{channel="wechat",type="text"\} \d+/);
    expect(metrics).toMatch(/bot_channel_replies_total\{channel="wechat",kind="answer"\} \d+/);
    expect(logs).toContain('"event":"wechat_reply"');
    for (const secret of ['oE2E_plaintext', 'oE2E_security', '解除实名认证', AES_KEY, `"${TOKEN}"`]) expect(logs).not.toContain(secret);
  });
});

describe('configuration', () => {
  it('a bad WeChat value stops start-up with one line naming the variable, not its value', async () => {
    const port = await freePort();
    const bad = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...baseEnv(port), WECHAT_TOKEN: TOKEN, WECHAT_ENCODING_AES_KEY: 'tooShort_secret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    bad.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((ok) => bad.once('exit', ok));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('WECHAT_ENCODING_AES_KEY');
    expect(stderr).not.toContain('tooShort_secret');
  });
});
