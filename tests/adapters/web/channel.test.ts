/** The web chat's HTTP API and page, on 127.0.0.1 in this process. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';
import {
  addressKey,
  clientAddress,
  frameAncestorSources,
  parseChatRequest,
  MAX_API_BODY_BYTES,
} from '../../../src/adapters/web/channel.js';
import { sendOversized, twoOnOneSocket } from '../../server/raw-http.js';
import { ChatClient, startWebServer, type WebServer } from './web-server.js';

let web: WebServer;
beforeAll(async () => {
  web = await startWebServer();
});
afterAll(() => web.close());

/** The page and its two assets, as a browser gets them. */
async function page(base: string) {
  const html = await fetch(base + '/');
  const text = await html.text();
  const [css, js] = [/href="(\/static\/app\.[0-9a-f]{10}\.css)"/, /src="(\/static\/app\.[0-9a-f]{10}\.js)"/].map((re) => re.exec(text)?.[1]);
  return { html, text, css: css!, js: js! };
}

describe('the page', () => {
  it('is one HTML file, one script and one stylesheet, self-hosted, under 30 KB gzipped', async () => {
    const { html, text, css, js } = await page(web.base);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(css).toBeDefined();
    expect(js).toBeDefined();
    let gzipped = 0;
    const bodies: string[] = [];
    for (const path of ['/', css, js]) {
      const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((ok, fail) =>
        request(web.base + path, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c)).on('end', () => ok({ headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', fail)
          .end(),
      );
      expect(raw.headers['content-encoding']).toBe('gzip');
      gzipped += raw.body.length;
      bodies.push(gunzipSync(raw.body).toString('utf8'));
    }
    expect(gzipped).toBeLessThanOrEqual(30 * 1024);
    // Nothing from another origin: no CDN, no web fonts, no absolute URLs in src/href/url().
    for (const body of bodies) expect(body).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(bodies[1]).not.toMatch(/url\(|@import|@font-face/i);
    expect(text).toContain('<html lang="zh-CN">');
    expect(text).toContain('name="viewport"');
  });

  it('serves the hashed assets for good, and anything else under /static/ as 404', async () => {
    const { css, js } = await page(web.base);
    const script = await fetch(web.base + js);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(web.base + css)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(web.base + '/static/app.js')).status).toBe(404);
    expect((await fetch(web.base + '/static/../channel.ts')).status).toBe(404);
    const etag = script.headers.get('etag')!;
    expect((await fetch(web.base + js, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it('sends the security headers', async () => {
    const res = await fetch(web.base + '/');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const api = await new ChatClient(web.base).post('/api/chat', { text: '你好' });
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('cache-control')).toBe('no-store');
  });

  it('lets the sites in WEB_FRAME_ANCESTORS embed the page, and drops anything that is not a source', async () => {
    expect(frameAncestorSources("https://a.example, https://*.b.example:8443 'self' javascript:alert(1) x;y")).toEqual([
      'https://a.example',
      'https://*.b.example:8443',
      "'self'",
    ]);
    const framed = await startWebServer({ frameAncestors: 'https://a.example https://b.example\r\nx-evil: 1' });
    try {
      const res = await fetch(framed.base + '/');
      expect(res.headers.get('content-security-policy')).toContain('frame-ancestors https://a.example');
      expect(res.headers.get('x-frame-options')).toBeNull();
      expect(res.headers.get('x-evil')).toBeNull();
    } finally {
      await framed.close();
    }
  });

  it('ships a script of plain ES2017 (WeChat on Android can be an old Chromium)', async () => {
    const { js } = await page(web.base);
    const source = await (await fetch(web.base + js)).text();
    // esbuild lowers any newer syntax (?., ??, object spread, …) when asked for ES2017: nothing may change.
    const as2017 = transformSync(source, { loader: 'js', target: 'es2017' }).code;
    const asNext = transformSync(source, { loader: 'js', target: 'esnext' }).code;
    expect(as2017).toBe(asNext);
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });
});

describe('POST /api/chat', () => {
  it('answers a question with the structured Reply and sets the session cookie', async () => {
    const client = new ChatClient(web.base);
    const r = await client.post('/api/chat', { text: '微信怎么解除实名认证' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.body.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    const types = r.body.reply.blocks.map((b: { type: string }) => b.type);
    expect(types.slice(-2)).toEqual(['channels', 'sources']);
    expect(r.body.reply.suggestions.some((s: { label: string }) => s.label === '要多久')).toBe(true);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^rh_sid=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).toMatch(/Max-Age=1800/);
    expect(cookie).not.toContain('Secure');
    expect(r.body.session).toBe(cookie.split(';')[0]!.split('=')[1]);
  });

  it('marks the cookie Secure behind an HTTPS proxy', async () => {
    const r = await new ChatClient(web.base).post('/api/chat', { text: '你好' }, { 'x-forwarded-proto': 'https' });
    expect(r.headers.get('set-cookie')).toContain('; Secure');
  });

  it('keeps follow-ups per session: two people never see each other\'s context', async () => {
    const a = new ChatClient(web.base);
    const b = new ChatClient(web.base);
    expect((await a.ask('怎么注销微信账号')).topic).toBe('account.delete');
    expect((await b.ask('微信怎么解除实名认证')).topic).toBe('realname.remove');
    const [ra, rb] = await Promise.all([a.ask('要多久'), b.ask('要多久')]);
    expect([ra.kind, ra.topic, ra.facet]).toEqual(['followup', 'account.delete', 'duration']);
    expect([rb.kind, rb.topic, rb.facet]).toEqual(['followup', 'realname.remove', 'duration']);
    // A third person, with no cookie, has no context at all.
    expect((await new ChatClient(web.base).ask('要多久')).kind).toBe('fallback');
    expect(a.cookie).not.toBe(b.cookie);
  });

  it('keeps 40 conversations apart when they run at once', async () => {
    const questions = ['怎么注销微信账号', '微信怎么解除实名认证', '身份证被别人冒用了怎么办', '怎么解绑银行卡'];
    const clients = Array.from({ length: 40 }, () => new ChatClient(web.base));
    const first = await Promise.all(clients.map((c, i) => c.ask(questions[i % questions.length]!)));
    const second = await Promise.all(clients.map((c) => c.ask('需要什么条件')));
    clients.forEach((_, i) => expect(second[i].topic).toBe(first[i].topic));
  });

  it('takes the session id from a header when the cookie does not come back', async () => {
    const client = new ChatClient(web.base, { useHeader: true });
    await client.ask('怎么注销微信账号');
    expect(client.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const next = await client.ask('要多久');
    expect([next.kind, next.topic]).toEqual(['followup', 'account.delete']);
  });

  it('starts a new session for a malformed session id', async () => {
    const r = await new ChatClient(web.base).post('/api/chat', { text: '要多久' }, { cookie: 'rh_sid=../../etc; other=1', 'x-session-id': 'short' });
    expect(r.status).toBe(200);
    expect(r.body.reply.kind).toBe('fallback');
    expect(r.body.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('follows a tapped suggestion ({topic, facet}) like the typed text', async () => {
    const client = new ChatClient(web.base);
    const first = await client.ask('微信怎么解除实名认证');
    const duration = first.suggestions.find((s: { label: string }) => s.label === '要多久');
    const next = await client.ask({ topic: duration.topic, facet: duration.facet });
    expect([next.kind, next.topic, next.facet]).toEqual(['followup', 'realname.remove', 'duration']);
  });

  it('answers a Traditional question in Traditional', async () => {
    const reply = await new ChatClient(web.base).ask('微信怎麼解除實名認證');
    expect(reply.title).toBe('解除微信實名認證');
  });

  it('runs the /topics and /reset commands', async () => {
    const client = new ChatClient(web.base);
    const topics = (await client.post('/api/chat', { command: 'topics' })).body.reply;
    expect(topics.suggestions.length).toBeGreaterThanOrEqual(10);
    await client.ask('怎么注销微信账号');
    const reset = (await client.post('/api/chat', { command: 'reset' })).body.reply;
    expect(reset.topic).toBe('meta.greeting');
    expect((await client.ask('要多久')).kind).toBe('fallback');
  });

  it('answers an unknown topic with a fallback, and rejects bad input with a clear 4xx', async () => {
    const client = new ChatClient(web.base);
    expect((await client.ask({ topic: 'no.such.topic' })).kind).toBe('fallback');
    const cases: [unknown, Record<string, string>, number, string][] = [
      ['{"text": "微信', {}, 400, 'bad_json'],
      ['', {}, 400, 'bad_json'],
      [{ text: '你好' }, { 'content-type': 'text/plain' }, 415, 'content_type'],
      [{ text: '你好' }, { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'content_type'],
      [{ text: 'x'.repeat(MAX_API_BODY_BYTES) }, {}, 413, 'too_large'],
      [{ topic: 'realname.remove', facet: 'nonsense' }, {}, 400, 'bad_request'],
      [{ topic: '<img src=x>' }, {}, 400, 'bad_request'],
      [{ text: 42 }, {}, 400, 'bad_request'],
      [[1, 2], {}, 400, 'bad_request'],
      [{}, {}, 400, 'bad_request'],
      [{ text: '你好' }, { 'sec-fetch-site': 'cross-site' }, 403, 'cross_site'],
    ];
    for (const [body, headers, status, error] of cases) {
      const r = await client.post('/api/chat', body, headers);
      expect([r.status, r.body?.error]).toEqual([status, error]);
      expect(r.body.message).toMatch(/\p{Script=Han}/u);
      expect(r.headers.get('connection')).toBe('close');
    }
    expect((await fetch(web.base + '/api/chat')).status).toBe(405);
    expect((await fetch(web.base + '/healthz')).status).toBe(200);
    expect((await client.ask('怎么注销微信账号')).topic).toBe('account.delete');
  });

  it('rejects a chunked body over 8 KB with 413', async () => {
    const status = await new Promise<number>((ok, fail) => {
      const req = request(web.base + '/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        ok(res.statusCode!);
      });
      req.on('error', fail);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers 413 with Connection: close and serves the next request (keep-alive)', async () => {
    const r = await sendOversized(web.port, '/api/chat', { 'content-type': 'application/json' }, 100_000, 16 * 1024);
    expect([r.status, r.headers.connection, r.closed]).toEqual([413, 'close', true]);
    const valid = { path: '/api/chat', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: '你好' }) };
    const [ok, next] = await twoOnOneSocket(web.port, valid, valid);
    expect(ok.status).toBe(200);
    expect((next as { status: number }).status).toBe(200);
    expect((await new ChatClient(web.base).ask('要多久')).kind).toBe('fallback');
  });

  it('never logs what people write', async () => {
    await new ChatClient(web.base).ask('我的问题是一段很特别的文字 微信实名');
    expect(web.logs()).toContain('"event":"reply"');
    expect(web.logs()).not.toContain('很特别的文字');
  });
});

describe('rate limits', () => {
  it('gives 429 and a friendly message past the per-session limit; other sessions go on', async () => {
    const limited = await startWebServer({ limits: { session: { max: 3, windowMs: 60_000 }, address: { max: 100, windowMs: 60_000 } } });
    try {
      const client = new ChatClient(limited.base);
      for (let i = 0; i < 3; i++) expect((await client.post('/api/chat', { text: '你好' })).status).toBe(200);
      const r = await client.post('/api/chat', { text: '你好' });
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('60');
      expect(r.body).toMatchObject({ error: 'rate_limited' });
      expect(r.body.message).toContain('稍等');
      expect(r.headers.get('connection')).not.toBe('close');
      expect((await client.post('/api/feedback', { topic: 'realname.remove', useful: true })).status).toBe(429);
      expect((await new ChatClient(limited.base).post('/api/chat', { text: '你好' })).status).toBe(200);
      expect(await limited.metrics()).toMatch(/bot_updates_dropped_total\{reason="web_rate_limit"\} 2/);
    } finally {
      await limited.close();
    }
  });

  it('limits one client address across sessions (behind a local proxy, by X-Forwarded-For)', async () => {
    const limited = await startWebServer({ limits: { session: { max: 100, windowMs: 60_000 }, address: { max: 4, windowMs: 60_000 } } });
    try {
      const from = (address: string) => new ChatClient(limited.base, { headers: { 'x-forwarded-for': `10.9.8.7, ${address}` } });
      // A new session (no cookie) for every request: dropping the cookie does not escape the limit.
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await from('203.0.113.5').post('/api/chat', { text: '你好' })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      expect((await from('203.0.113.6').post('/api/chat', { text: '你好' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('reads the client address from X-Forwarded-For only when the peer is a local proxy', () => {
    const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as any;
    expect(clientAddress(req('127.0.0.1', '1.2.3.4, 5.6.7.8'))).toBe('5.6.7.8');
    expect(clientAddress(req('::ffff:127.0.0.1', '9.9.9.9'))).toBe('9.9.9.9');
    expect(clientAddress(req('198.51.100.7', '1.2.3.4'))).toBe('198.51.100.7');
    expect(clientAddress(req('::ffff:198.51.100.7'))).toBe('198.51.100.7');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
  });
});

describe('POST /api/feedback', () => {
  it('counts 👍/👎 by topic in the metrics and stores nothing else', async () => {
    const client = new ChatClient(web.base);
    const r = await client.post('/api/feedback', { topic: 'realname.remove', useful: true });
    expect(r.status).toBe(204);
    await client.post('/api/feedback', { topic: 'realname.remove', useful: false });
    await client.post('/api/feedback', { topic: 'account.delete', useful: true });
    const text = await web.metrics();
    expect(text).toContain('bot_feedback_total{channel="web",topic="realname.remove",useful="true"} 1');
    expect(text).toContain('bot_feedback_total{channel="web",topic="realname.remove",useful="false"} 1');
    expect(text).toContain('bot_feedback_total{channel="web",topic="account.delete",useful="true"} 1');
    expect(text).toMatch(/bot_channel_updates_total\{channel="web",type="web_text"\} \d+/);
    expect(text).toMatch(/bot_channel_replies_total\{channel="web",kind="answer"\} \d+/);
    expect((await client.post('/api/feedback', { topic: 'made.up', useful: true })).status).toBe(400);
    expect((await client.post('/api/feedback', { topic: 'realname.remove', useful: 'yes' })).status).toBe(400);
  });
});

describe('parseChatRequest', () => {
  it('takes text, a suggestion or a command, and nothing else', () => {
    expect(parseChatRequest({ text: '你好' })).toEqual({ input: '你好', type: 'web_text' });
    expect(parseChatRequest({ topic: 'account.delete' })).toEqual({ input: { topic: 'account.delete', facet: null }, type: 'web_button' });
    expect(parseChatRequest({ topic: 'meta.help', facet: null })).toMatchObject({ type: 'web_button' });
    expect(parseChatRequest({ command: 'reset' })).toEqual({ command: 'reset', type: 'web_command' });
    expect(parseChatRequest({ command: 'drop' })).toBeNull();
    expect(parseChatRequest(null)).toBeNull();
    expect(parseChatRequest('text')).toBeNull();
    expect(parseChatRequest({ topic: 'a'.repeat(65) })).toBeNull();
  });
});
