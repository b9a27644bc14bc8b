/**
 * `npm start` (src/main.ts) runs every configured channel: the web chat with
 * WEB_PORT alone or beside the Telegram webhook, on its own port or on the
 * webhook's server when WEB_PORT equals PORT. Real processes on 127.0.0.1.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startWebProcess } from './web-process.js';
import { ChatClient } from './web-server.js';
import { freePort } from '../../production/redis-server.js';
import { startStubApi, type StubApi } from '../telegram/stub-api.js';
import { TOKEN, SECRET } from '../../production/instances.js';
import * as f from '../telegram/fixtures.js';

const postUpdate = (port: number, update: unknown) =>
  fetch(`http://127.0.0.1:${port}/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  }).then((r) => r.status);

describe('npm start with WEB_PORT', () => {
  let api: StubApi;
  beforeAll(async () => {
    api = await startStubApi();
  });
  afterAll(() => api.close());

  it('serves the web chat alone (no terminal chat), and stops with 0', async () => {
    const port = await freePort();
    const web = await startWebProcess({ WEB_PORT: String(port), TELEGRAM_BOT_TOKEN: '' }, { script: 'src/main.ts', port });
    try {
      expect((await fetch(web.base + '/')).status).toBe(200);
      expect((await new ChatClient(web.base).ask('微信怎么解除实名认证')).topic).toBe('realname.remove');
    } finally {
      expect(await web.stop()).toBe(0);
    }
    expect(web.logs()).not.toContain('微信怎么解除实名认证');
  });

  it('serves the webhook and the web chat on one server when WEB_PORT equals PORT', async () => {
    const port = await freePort();
    const env = {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      BOT_MODE: 'webhook',
      WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      WEBHOOK_SECRET: SECRET,
      WEB_PORT: String(port),
    };
    const both = await startWebProcess(env, { script: 'src/main.ts', port });
    try {
      expect(await postUpdate(port, f.textUpdate('怎么注销微信账号', { from: f.user(9001) }))).toBe(200);
      expect(api.of('sendMessage').at(-1)!.payload.text).toContain('注销微信账号');
      expect((await new ChatClient(both.base).ask('怎么注销微信账号')).topic).toBe('account.delete');
      // One registry: /metrics counts both channels.
      const metrics = await (await fetch(both.base + '/metrics')).text();
      expect(metrics).toMatch(/bot_updates_total\{type="message"\} 1/);
      expect(metrics).toMatch(/bot_updates_total\{type="web_text"\} 1/);
    } finally {
      expect(await both.stop()).toBe(0);
    }
  });

  it('serves the web chat on its own port beside the webhook', async () => {
    const [port, webPort] = [await freePort(), await freePort()];
    const env = {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.apiRoot,
      BOT_MODE: 'webhook',
      WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      WEBHOOK_SECRET: SECRET,
      WEB_PORT: String(webPort),
    };
    const hook = await startWebProcess(env, { script: 'src/main.ts', port });
    try {
      expect(await postUpdate(port, f.textUpdate('要多久', { from: f.user(9002) }))).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      const web = `http://127.0.0.1:${webPort}`;
      expect((await fetch(web + '/')).status).toBe(200);
      expect((await fetch(web + '/hook', { method: 'POST' })).status).toBe(404);
      expect((await new ChatClient(web).ask('你好')).topic).toBe('meta.greeting');
    } finally {
      expect(await hook.stop()).toBe(0);
    }
  });
});
