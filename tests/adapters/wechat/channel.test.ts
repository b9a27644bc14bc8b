/**
 * The WeChat channel on the shared HTTP server, driven by the simulator in
 * plaintext, compatibility and security modes: URL verification, a whole
 * conversation, and bad input.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, constants, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderWechat, byteLength, WECHAT_TEXT_MAX_BYTES, WECHAT_TEXTS } from '../../../src/adapters/wechat/render.js';
import type { Input, Reply, Session } from '../../../src/engine/types.js';
import { MemorySessionStore, type SessionStore } from '../../../src/session/store.js';
import { realEngine } from '../../helpers.js';
import { AES_KEY, APPID, PREVIOUS_AES_KEY, startChannel, TOKEN, type Harness } from './harness.js';
import { nextMsgId, WechatSimulator, type Mode } from './simulator.js';

const engine = realEngine();

/** The same conversation run on the engine directly: what each WeChat reply should show. */
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

describe('URL verification (GET)', () => {
  let h: Harness;
  beforeAll(async () => (h = await startChannel()));
  afterAll(() => h.close());

  it('answers echostr verbatim for the official vectors (token AAAAA)', async () => {
    for (const [timestamp, nonce, signature] of [
      ['1714036504', '1514711492', 'f464b24fc39322e44b38aa78f5edd27bd1441696'],
      ['1714037059', '486452656', '899cf89e464efb63f54ddac96b0a0a235f53aa78'],
    ]) {
      const echostr = '7385613742853619&x y+中';
      const res = await fetch(`${h.url}?${new URLSearchParams({ signature: signature!, timestamp: timestamp!, nonce: nonce!, echostr })}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(echostr);
    }
  });

  it('answers 401 to a wrong or missing signature, 400 without echostr', async () => {
    const sim = new WechatSimulator({ url: h.url, token: TOKEN, mode: 'plaintext' });
    expect((await sim.verifyUrl('abc', { signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696' })).status).toBe(401);
    expect((await sim.verifyUrl('abc', { signature: '' })).status).toBe(401);
    expect((await fetch(`${h.url}?echostr=abc`)).status).toBe(401);
    const other = new WechatSimulator({ url: h.url, token: 'BBBBB', mode: 'plaintext' });
    expect((await other.verifyUrl('abc')).status).toBe(401);
    const q = sim.signedQuery();
    expect((await fetch(`${h.url}?${q}`)).status).toBe(400);
    expect((await sim.verifyUrl('echo')).status).toBe(200);
  });
});

describe.each<Mode>(['plaintext', 'compatibility', 'security'])('a conversation in %s mode', (mode) => {
  let h: Harness;
  let sim: WechatSimulator;
  beforeAll(async () => {
    h = await startChannel();
    sim = new WechatSimulator({ url: h.url, token: TOKEN, mode, appId: APPID, encodingAesKey: AES_KEY });
  });
  afterAll(() => h.close());

  it('follow, ask, pick a numbered suggestion, follow up, read the rest, click the menu, unfollow', async () => {
    const user = `oUser_${mode}`;
    const mirror = new Mirror();

    // Follow: the welcome with the main topics as 「回复 1 …」.
    const welcome = await sim.post(sim.event(user, 'subscribe'));
    const expectedWelcome = mirror.show(engine.welcome());
    expect(welcome.reply!.Content).toBe(expectedWelcome);
    expect(welcome.reply!.Content).toContain(`回复 1 ${engine.welcome().suggestions[0]!.label}`);

    // Pick a main topic by its number.
    expect(await sim.say(user, '3')).toBe(mirror.respond({ topic: engine.welcome().suggestions[2]!.topic }));
    expect(mirror.reply!.kind).toBe('answer');

    // Ask a question.
    expect(await sim.say(user, '怎么注销微信账号')).toBe(mirror.respond('怎么注销微信账号'));
    expect(mirror.reply!.topic).toBe('account.delete');
    const suggestions = mirror.reply!.suggestions;
    expect(suggestions.length).toBeGreaterThan(1);

    // The rest of a long answer, then nothing more.
    const rest = mirror.pages.slice(1);
    for (const page of rest) expect(await sim.say(user, '0')).toBe(page);
    expect(await sim.say(user, '0')).toBe(WECHAT_TEXTS.nothingMore);

    // A numbered suggestion (full-width digits too).
    const second = suggestions[1]!;
    expect(await sim.say(user, '２')).toBe(mirror.respond({ topic: second.topic, facet: second.facet }));

    // A follow-up in context.
    expect(await sim.say(user, '那要多久?')).toBe(mirror.respond('那要多久?'));
    expect(mirror.reply!.topic).toBe('account.delete');
    expect(mirror.reply!.facet).toBe('duration');

    // Menu clicks: a topic, and a facet.
    const click = await sim.post(sim.event(user, 'CLICK', 'topic:realname.remove'));
    expect(click.reply!.Content).toBe(mirror.respond({ topic: 'realname.remove' }));
    const facet = await sim.post(sim.event(user, 'CLICK', 'facet:account.delete:duration'));
    expect(facet.reply!.Content).toBe(mirror.respond({ topic: 'account.delete', facet: 'duration' }));
    const stale = await sim.post(sim.event(user, 'CLICK', 'topic:no.such.topic'));
    expect(stale.reply!.Content).toBe(WECHAT_TEXTS.staleButton);

    // Pictures get a request to type; a link-button click and unknown types get "success".
    expect((await sim.post({ ...sim.text(user, ''), MsgType: 'image', PicUrl: 'http://x/y.jpg', MediaId: 'm' })).reply!.Content).toBe(WECHAT_TEXTS.nonText);
    expect((await sim.post({ ...sim.text(user, ''), MsgType: 'voice', MediaId: 'm', Format: 'amr' })).reply!.Content).toBe(WECHAT_TEXTS.nonText);
    const view = await sim.post(sim.event(user, 'VIEW', 'https://example.org/'));
    expect([view.status, view.raw]).toEqual([200, 'success']);
    const other = await sim.post({ ...sim.text(user, ''), MsgType: 'miniprogrampage' });
    expect([other.status, other.raw]).toEqual([200, 'success']);

    // Unfollow: "success", and the user's session is gone.
    expect(await h.store.get(`wechat:${user}`)).toBeDefined();
    const bye = await sim.post(sim.event(user, 'unsubscribe'));
    expect([bye.status, bye.raw]).toEqual([200, 'success']);
    expect(await h.store.get(`wechat:${user}`)).toBeUndefined();
    // A number means nothing now: it is a question like any other.
    expect(await sim.say(user, '2')).toBe(new Mirror().respond('2'));
  });

  it('answers a number after a clarify or a fallback through the engine’s own offer', async () => {
    const kinds: string[] = [];
    for (const [i, turns] of [['微信实名', '不是这个'], ['今天天气怎么样'], ['asdfgh']].entries()) {
      const user = `oOffer_${mode}_${i}`;
      const mirror = new Mirror();
      for (const turn of turns) expect(await sim.say(user, turn)).toBe(mirror.respond(turn));
      kinds.push(mirror.reply!.kind);
      // The adapter keeps no choices of its own here: "2" goes to the engine as text.
      expect(await sim.say(user, '2')).toBe(mirror.respond('2'));
    }
    expect(kinds.some((k) => k === 'clarify' || k === 'fallback')).toBe(true);
  });

  it('answers a retried message once, with the same reply', async () => {
    const user = `oRetry_${mode}`;
    const mirror = new Mirror();
    expect(await sim.say(user, '怎么注销微信账号')).toBe(mirror.respond('怎么注销微信账号'));
    expect(mirror.pages.length).toBeGreaterThan(1);
    // "0" moves through the pages: a retry that ran twice would skip one.
    const message = sim.text(user, '0');
    const [a, b] = await Promise.all([sim.post(message), sim.post(message)]);
    const c = await sim.post(message);
    expect(a.reply!.Content).toBe(mirror.pages[1]);
    expect(b.reply!.Content).toBe(mirror.pages[1]);
    expect(c.reply!.Content).toBe(mirror.pages[1]);
    for (const page of mirror.pages.slice(2)) expect(await sim.say(user, '0')).toBe(page);
    expect(await sim.say(user, '0')).toBe(WECHAT_TEXTS.nothingMore);
    // An event retried (same FromUserName and CreateTime) is answered once too.
    const click = sim.event(user, 'CLICK', 'topic:account.delete');
    const first = await sim.post(click);
    expect((await sim.post(click)).reply!.Content).toBe(first.reply!.Content);
  });
});

describe('bad input', () => {
  let h: Harness;
  let plain: WechatSimulator;
  let secure: WechatSimulator;
  beforeAll(async () => {
    h = await startChannel();
    plain = new WechatSimulator({ url: h.url, token: TOKEN, mode: 'plaintext' });
    secure = new WechatSimulator({ url: h.url, token: TOKEN, mode: 'security', appId: APPID, encodingAesKey: AES_KEY });
  });
  afterAll(() => h.close());

  it('refuses a wrong signature with 401, in every mode', async () => {
    const { body, query } = plain.envelope(plain.text('oBad', '你好'));
    query.set('signature', '0'.repeat(40));
    expect((await plain.postRaw(body, query)).status).toBe(401);
    const other = new WechatSimulator({ url: h.url, token: 'WRONGTOKEN', mode: 'security', appId: APPID, encodingAesKey: AES_KEY });
    expect((await other.post(other.text('oBad', '你好'))).status).toBe(401);
    // Right `signature`, wrong `msg_signature`.
    const enc = secure.envelope(secure.text('oBad', '你好'));
    enc.query.set('msg_signature', '0'.repeat(40));
    expect((await secure.postRaw(enc.body, enc.query)).status).toBe(401);
  });

  it('refuses malformed XML with 400', async () => {
    for (const body of ['<xml><Content>unclosed</xml>', 'not xml', '', '{"MsgType":"text"}', '<xml><ToUserName>a</ToUserName></xml>']) {
      expect((await plain.postRaw(body, plain.signedQuery())).status, body).toBe(400);
    }
  });

  it('refuses a body over 64 KB with 413', async () => {
    const body = `<xml><Content><![CDATA[${'长'.repeat(22_000)}]]></Content></xml>`;
    expect(byteLength(body)).toBeGreaterThan(64 * 1024);
    expect((await plain.postRaw(body, plain.signedQuery())).status).toBe(413);
  });

  it('refuses an XXE payload, and reads no file (a FIFO nobody opens)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wechat-xxe-'));
    const fifo = join(dir, 'secret');
    execFileSync('mkfifo', [fifo]);
    try {
      const fields = (content: string) =>
        `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file://${fifo}">]><xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oX]]></FromUserName>` +
        `<CreateTime>1714036504</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>${content}</Content><MsgId>1</MsgId></xml>`;
      expect((await plain.postRaw(fields('&xxe;'), plain.signedQuery())).status).toBe(400);
      // Inside an encrypted message too.
      const encrypted = (await import('./simulator.js')).wechatEncrypt(AES_KEY, APPID, fields('&xxe;'));
      const body = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
      expect((await secure.postRaw(body, secure.signedQuery(encrypted))).status).toBe(400);
      // Opening a FIFO for writing without blocking fails with ENXIO while no reader has it open.
      expect(() => closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))).toThrow(/ENXIO/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a message encrypted for another AppID', async () => {
    const res = await secure.post(secure.text('oAppId', '你好'), { appId: 'wx1111111111111111' });
    expect(res.status).toBe(400);
    expect(h.logs()).toContain('"reason":"wrong_appid"');
  });

  it('accepts the previous EncodingAESKey during a rotation and answers with it', async () => {
    const old = new WechatSimulator({ url: h.url, token: TOKEN, mode: 'security', appId: APPID, encodingAesKey: PREVIOUS_AES_KEY });
    expect(await old.say('oRotate', '怎么注销微信账号')).toContain('注销');
  });

  it('answers a compatibility-mode message in plaintext when no key is configured', async () => {
    const bare = await startChannel({ env: { WECHAT_ENCODING_AES_KEY: '', WECHAT_ENCODING_AES_KEY_PREVIOUS: '', WECHAT_APPID: '' } });
    try {
      const compat = new WechatSimulator({ url: bare.url, token: TOKEN, mode: 'compatibility', appId: APPID, encodingAesKey: AES_KEY });
      const { body, query } = compat.envelope(compat.text('oCompat', '你好'));
      const res = await compat.postRaw(body, query);
      expect(res.status).toBe(200);
      expect(res.raw).toContain('<MsgType><![CDATA[text]]></MsgType>');
      const secureOnly = new WechatSimulator({ url: bare.url, token: TOKEN, mode: 'security', appId: APPID, encodingAesKey: AES_KEY });
      expect((await secureOnly.post(secureOnly.text('oCompat', '你好'))).status).toBe(400);
    } finally {
      await bare.close();
    }
  });

  it('counts updates and replies per channel, and logs no OpenID and no text', async () => {
    await plain.say('oPrivate_42', '微信怎么解除实名认证');
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(/bot_channel_updates_total\{channel="wechat",type="text"\} \d+/);
    expect(metrics).toMatch(/bot_channel_replies_total\{channel="wechat",kind="answer"\} \d+/);
    expect(metrics).toMatch(/wechat_rejected_total\{reason="bad_signature"\} \d+/);
    const logs = h.logs();
    expect(logs).toContain('"event":"wechat_reply"');
    expect(logs).not.toContain('oPrivate_42');
    expect(logs).not.toContain('解除实名');
    expect(logs).not.toContain(TOKEN + '"');
  });
});

describe('within five seconds', () => {
  /** A store whose reads take `delayMs` while `slow` is on. */
  class SlowStore implements SessionStore {
    slow = false;
    sets = 0;
    private readonly inner = new MemorySessionStore({ ttlMs: 60_000 });
    constructor(private readonly delayMs: number) {}
    async get(key: string) {
      if (this.slow) await new Promise((ok) => setTimeout(ok, this.delayMs));
      return this.inner.get(key);
    }
    async set(key: string, s: Session) {
      this.sets++;
      return this.inner.set(key, s);
    }
    delete(key: string) {
      return this.inner.delete(key);
    }
  }

  it('shares the first attempt with a retry that arrives meanwhile, answering once', async () => {
    const store = new SlowStore(400);
    const h = await startChannel({ store });
    try {
      const sim = new WechatSimulator({ url: h.url, token: TOKEN, mode: 'security', appId: APPID, encodingAesKey: AES_KEY });
      store.slow = true;
      const message = sim.text('oSlow', '怎么注销微信账号', nextMsgId());
      const first = sim.post(message);
      await new Promise((ok) => setTimeout(ok, 100));
      const retry = sim.post(message);
      const [a, b] = await Promise.all([first, retry]);
      expect(a.reply!.Content).toContain('注销');
      expect(b.reply!.Content).toBe(a.reply!.Content);
      expect(store.sets).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('replies before the deadline when an answer is slow, and a later retry gets the real answer', async () => {
    const store = new SlowStore(700);
    const h = await startChannel({ store, deadlineMs: 300 });
    try {
      const sim = new WechatSimulator({ url: h.url, token: TOKEN, mode: 'plaintext' });
      store.slow = true;
      const message = sim.text('oLate', '怎么注销微信账号', nextMsgId());
      const started = Date.now();
      const first = await sim.post(message);
      expect(Date.now() - started).toBeLessThan(650);
      expect(first.reply!.Content).toBe(WECHAT_TEXTS.slow);
      await new Promise((ok) => setTimeout(ok, 600));
      const retry = await sim.post(message);
      expect(retry.reply!.Content).toContain('注销');
      expect(store.sets).toBe(1);
    } finally {
      await h.close();
    }
  });

  it('answers 500 when a turn fails, and its retry "success" at once instead of waiting', async () => {
    const store = new SlowStore(0);
    store.get = async () => {
      throw new Error('store broken');
    };
    const h = await startChannel({ store });
    try {
      const sim = new WechatSimulator({ url: h.url, token: TOKEN, mode: 'plaintext' });
      const message = sim.text('oBroken', '怎么注销微信账号', nextMsgId());
      expect((await sim.post(message)).status).toBe(500);
      const started = Date.now();
      const retry = await sim.post(message);
      expect([retry.status, retry.raw]).toEqual([200, 'success']);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await h.close();
    }
  });

  it('keeps every page of every answer under the byte limit', async () => {
    const h = await startChannel();
    try {
      const sim = new WechatSimulator({ url: h.url, token: TOKEN, mode: 'security', appId: APPID, encodingAesKey: AES_KEY });
      for (const { id } of engine.topics) {
        const user = `oPages_${id}`;
        let content = (await sim.post(sim.event(user, 'CLICK', `topic:${id}`))).reply!.Content!;
        for (let i = 0; i < 10; i++) {
          expect(byteLength(content)).toBeLessThanOrEqual(WECHAT_TEXT_MAX_BYTES);
          if (!content.includes('回复 0')) break;
          content = await sim.say(user, '0');
        }
      }
    } finally {
      await h.close();
    }
  });
});
