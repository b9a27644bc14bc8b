/** The custom menu: its layout, the cached stable_token, and `npm run wechat:menu` against a stub API on 127.0.0.1. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildMenu, fitBytes, MENU_LIMITS, WechatApi, WechatApiError, type Menu } from '../../../src/adapters/wechat/menu.js';
import { parseMenuKey } from '../../../src/adapters/wechat/conversation.js';
import { byteLength } from '../../../src/adapters/wechat/render.js';
import { PROJECT_ROOT } from '../../../src/content/load.js';
import { realEngine } from '../../helpers.js';

const engine = realEngine();

interface Call {
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

/** A stub of api.weixin.qq.com: stable_token and menu/create; `menuError` makes menu/create fail. */
class StubApi {
  calls: Call[] = [];
  menuError: { errcode: number; errmsg: string } | null = null;
  tokenExpiresIn = 7200;
  private server!: Server;
  root = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        this.calls.push({ path: url.pathname, query: url.searchParams, body });
        const json = (o: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
        if (req.method !== 'POST') return json({ errcode: 43002, errmsg: 'require POST method' });
        if (url.pathname === '/cgi-bin/stable_token') {
          if (body.secret !== 'a'.repeat(32)) return json({ errcode: 40125, errmsg: 'invalid appsecret' });
          return json({ access_token: `ACCESS_TOKEN_${this.calls.length}`, expires_in: this.tokenExpiresIn });
        }
        if (url.pathname === '/cgi-bin/menu/create') {
          if (!url.searchParams.get('access_token')?.startsWith('ACCESS_TOKEN_')) return json({ errcode: 40001, errmsg: 'invalid credential' });
          return json(this.menuError ?? { errcode: 0, errmsg: 'ok' });
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.root = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  of(path: string): Call[] {
    return this.calls.filter((c) => c.path === path);
  }
  stop(): Promise<void> {
    return new Promise((ok) => this.server.close(() => ok()));
  }
}

const checkLimits = (menu: Menu) => {
  expect(menu.button.length).toBeGreaterThan(0);
  expect(menu.button.length).toBeLessThanOrEqual(MENU_LIMITS.top);
  for (const b of menu.button) {
    expect(byteLength(b.name)).toBeLessThanOrEqual(MENU_LIMITS.topNameBytes);
    expect((b.sub_button ?? []).length).toBeLessThanOrEqual(MENU_LIMITS.sub);
    for (const s of b.sub_button ?? []) expect(byteLength(s.name)).toBeLessThanOrEqual(MENU_LIMITS.subNameBytes);
  }
};

describe('buildMenu', () => {
  it("makes click buttons for the welcome's main topics, each key one the channel understands", () => {
    const menu = buildMenu(engine);
    checkLimits(menu);
    const clicks = menu.button.flatMap((b) => b.sub_button ?? [b]).filter((b) => b.type === 'click');
    expect(clicks.map((c) => parseMenuKey(c.key!)?.topic)).toEqual(engine.welcome().suggestions.slice(0, 15).map((s) => s.topic));
    for (const c of clicks) expect(engine.knows(parseMenuKey(c.key!)!.topic)).toBe(true);
    expect(menu.button.some((b) => b.type === 'view')).toBe(false);
  });

  it('adds a view button to the web chat when WEB_URL is set', () => {
    const menu = buildMenu(engine, { webUrl: 'https://chat.example.org/' });
    checkLimits(menu);
    expect(menu.button.at(-1)).toEqual({ type: 'view', name: '网页版', url: 'https://chat.example.org/' });
  });

  it('cuts names at a character boundary within the byte limit', () => {
    expect(fitBytes('联系官方客服热线', 16)).toBe('联系官方客');
    expect(fitBytes('ab😀c', 5)).toBe('ab');
  });
});

describe('WechatApi', () => {
  const api = new StubApi();
  beforeAll(() => api.start());
  afterAll(() => api.stop());

  it('fetches a stable token once, without force_refresh, and renews it 5 minutes before it expires', async () => {
    api.calls = [];
    let now = 0;
    const client = new WechatApi({ appId: 'wx0123456789abcdef', secret: 'a'.repeat(32), apiRoot: api.root, now: () => now });
    const [a, b] = await Promise.all([client.accessToken(), client.accessToken()]);
    expect(a).toBe(b);
    await client.createMenu(buildMenu(engine));
    expect(api.of('/cgi-bin/stable_token').length).toBe(1);
    expect(api.of('/cgi-bin/stable_token')[0]!.body).toEqual({
      grant_type: 'client_credential',
      appid: 'wx0123456789abcdef',
      secret: 'a'.repeat(32),
      force_refresh: false,
    });
    now = (7200 - 301) * 1000;
    expect(await client.accessToken()).toBe(a);
    now = (7200 - 299) * 1000;
    expect(await client.accessToken()).not.toBe(a);
    expect(api.of('/cgi-bin/stable_token').every((c) => c.body.force_refresh === false)).toBe(true);
  });

  it('throws WechatApiError with a hint for 48001', async () => {
    api.menuError = { errcode: 48001, errmsg: 'api unauthorized' };
    try {
      const client = new WechatApi({ appId: 'wx0123456789abcdef', secret: 'a'.repeat(32), apiRoot: api.root });
      const err = await client.createMenu(buildMenu(engine)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WechatApiError);
      expect((err as WechatApiError).errcode).toBe(48001);
      expect((err as Error).message).toMatch(/unverified subscription account/);
    } finally {
      api.menuError = null;
    }
  });
});

describe('npm run wechat:menu', () => {
  const api = new StubApi();
  beforeAll(() => api.start());
  afterAll(() => api.stop());

  const run = (env: Record<string, string>, args: string[] = []) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/wechat-menu.ts', ...args], {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          WECHAT_APPID: 'wx0123456789abcdef',
          WECHAT_APPSECRET: 'a'.repeat(32),
          WECHAT_API_ROOT: api.root,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => ok({ code, stdout, stderr }));
    });

  it('creates the menu through the stub API, with the web chat link', async () => {
    api.calls = [];
    const { code, stdout, stderr } = await run({ WEB_URL: 'https://chat.example.org/' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('menu created');
    const [create] = api.of('/cgi-bin/menu/create');
    expect(create!.query.get('access_token')).toMatch(/^ACCESS_TOKEN_/);
    expect(create!.body).toEqual(buildMenu(engine, { webUrl: 'https://chat.example.org/' }));
    expect(api.of('/cgi-bin/stable_token').length).toBe(1);
  });

  it('explains 48001 in one line and exits 1', async () => {
    api.menuError = { errcode: 48001, errmsg: 'api unauthorized' };
    try {
      const { code, stderr } = await run({});
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain('48001');
      expect(stderr).toContain('unverified subscription account');
    } finally {
      api.menuError = null;
    }
  });

  it('names a wrong or missing secret without printing it', async () => {
    const wrong = await run({ WECHAT_APPSECRET: 'b'.repeat(32) });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('40125');
    expect(wrong.stderr).not.toContain('b'.repeat(32));
    const missing = await run({ WECHAT_APPSECRET: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('WECHAT_APPSECRET is required');
  });

  it('prints the menu with --dry-run and calls nothing', async () => {
    api.calls = [];
    const { code, stdout } = await run({ WECHAT_APPSECRET: '' }, ['--dry-run']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(buildMenu(engine));
    expect(api.calls).toEqual([]);
  });

  it('says clearly when the API cannot be reached', async () => {
    const { code, stderr } = await run({ WECHAT_API_ROOT: 'http://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/could not reach the WeChat API/);
  });
});
