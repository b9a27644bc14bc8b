/** A bot behind a webhook server on 127.0.0.1, replying to a stub Bot API: shared by webhook tests. */
import type { AddressInfo } from 'node:net';
import type { Update } from 'telegraf/types';
import { createTelegramBot } from '../../../src/adapters/telegram/bot.js';
import { createWebhookServer } from '../../../src/adapters/telegram/webhook.js';
import { MemorySessionStore } from '../../../src/session/store.js';
import { createLogger } from '../../../src/log.js';
import { realEngine } from '../../helpers.js';
import { startStubApi, type StubApi } from './stub-api.js';
import * as f from './fixtures.js';

export interface WebhookBot {
  api: StubApi;
  /** The webhook URL (POST updates here). */
  url: string;
  /** Origin of the server (for /healthz and other paths). */
  base: string;
  /** Updates the server passed to the bot. */
  handled(): number;
  close(): Promise<void>;
}

export async function startWebhookBot(secret: string, path = '/hook'): Promise<WebhookBot> {
  const api = await startStubApi();
  const bot = createTelegramBot({
    token: '123456:TESTTOKENabcdefghijklmnopqrstu',
    engine: realEngine(),
    store: new MemorySessionStore({ ttlMs: 60_000 }),
    logger: createLogger('silent'),
    apiRoot: api.apiRoot,
    botInfo: f.BOT_INFO as any,
  });
  let handled = 0;
  const hook = createWebhookServer({
    path,
    secret,
    logger: createLogger('silent'),
    handleUpdate: async (u: Update) => {
      handled++;
      await bot.handleUpdate(u);
    },
  });
  await new Promise<void>((ok) => hook.server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}`;
  return {
    api,
    url: base + path,
    base,
    handled: () => handled,
    close: async () => {
      await hook.close();
      await api.close();
    },
  };
}
