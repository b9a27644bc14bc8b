/** The WeChat channel on the shared node:http server, in this process, on 127.0.0.1. */
import { PassThrough } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createWechatChannel, type WechatChannel } from '../../../src/adapters/wechat/channel.js';
import { loadEnv, type Env } from '../../../src/config/env.js';
import { createLogger } from '../../../src/log.js';
import { createHttpServer, type HttpServer } from '../../../src/server/http.js';
import type { SharedRedis } from '../../../src/session/redis.js';
import { MemorySessionStore, type SessionStore } from '../../../src/session/store.js';
import { realEngine } from '../../helpers.js';

export const TOKEN = 'AAAAA';
export const APPID = 'wx0123456789abcdef';
export const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
export const PREVIOUS_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

export interface Harness {
  url: string;
  base: string;
  env: Env;
  store: SessionStore;
  channel: WechatChannel;
  server: HttpServer;
  registry: Registry;
  logs(): string;
  close(): Promise<void>;
}

export async function startChannel(
  options: { env?: Record<string, string>; store?: SessionStore; redis?: SharedRedis; deadlineMs?: number } = {},
): Promise<Harness> {
  const env = loadEnv({
    WECHAT_TOKEN: TOKEN,
    WECHAT_APPID: APPID,
    WECHAT_ENCODING_AES_KEY: AES_KEY,
    WECHAT_ENCODING_AES_KEY_PREVIOUS: PREVIOUS_AES_KEY,
    ...options.env,
  });
  const engine = realEngine();
  let logs = '';
  const sink = new PassThrough();
  sink.on('data', (d) => (logs += d.toString()));
  const logger = createLogger('info', sink);
  const store = options.store ?? new MemorySessionStore({ ttlMs: engine.contextTtlMs });
  const registry = new Registry();
  const channel = createWechatChannel({
    env,
    engine,
    store,
    logger,
    registry,
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
  });
  const server = createHttpServer({ routes: [channel.route], logger, metrics: registry });
  await server.listen(0, '127.0.0.1');
  const { port } = server.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}${env.WECHAT_PATH}`,
    base,
    env,
    store,
    channel,
    server,
    registry,
    logs: () => logs,
    close: async () => {
      await server.close();
      await channel.close();
    },
  };
}
