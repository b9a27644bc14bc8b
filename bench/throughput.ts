/**
 * (c) Throughput: updates per second through bot.handleUpdate() with a stubbed
 * Telegram client (no network), and requests per second through the webhook
 * server of a real bot process on 127.0.0.1, replying to a local stub API.
 */
import { Telegram } from 'telegraf';
import { createTelegramBot } from '../src/adapters/telegram/bot.js';
import { MemorySessionStore } from '../src/session/store.js';
import { createLogger } from '../src/log.js';
import type { Engine } from '../src/engine/engine.js';
import { startStubApi } from '../tests/adapters/telegram/stub-api.js';
import { Agent, request } from 'node:http';
import { startInstance, SECRET as WEBHOOK_SECRET } from '../tests/production/instances.js';
import * as f from '../tests/adapters/telegram/fixtures.js';

const TEXTS = ['怎么注销微信账号', '要多久?', '微信怎么解除实名认证', '需要什么条件', '身份证被别人冒用了怎么办', '找谁', '谢谢'];

export async function measureThroughput(engine: Engine, { quick, log }: { quick: boolean; log: (s: string) => void }) {
  const updates = quick ? 4000 : 20_000;
  const chats = quick ? 400 : 2000;
  log(`\n(c) Throughput`);

  // 1. handleUpdate with a stubbed client: every Bot API call answers at once, in process.
  let handleUpdatePerSecond = 0;
  const original = Telegram.prototype.callApi;
  let calls = 0;
  Telegram.prototype.callApi = async function (method: string, payload: any) {
    calls++;
    return method === 'sendMessage' ? { message_id: calls, date: 0, chat: { id: payload.chat_id, type: 'private' }, text: payload.text } : true;
  } as any;
  try {
    const bot = createTelegramBot({
      token: '123456:BENCHTOKENabcdefghijklmnopqrstu',
      engine,
      store: new MemorySessionStore({ ttlMs: 30 * 60_000 }),
      logger: createLogger('silent'),
      botInfo: f.BOT_INFO as any,
    });
    const all = Array.from({ length: updates }, (_, i) => f.textUpdate(TEXTS[Math.floor(i / chats) % TEXTS.length]!, { from: f.user(10_000 + (i % chats)) }));
    for (const u of all.slice(0, 500)) await bot.handleUpdate(u as any); // warm-up
    const started = performance.now();
    for (let i = 0; i < all.length; i += chats) await Promise.all(all.slice(i, i + chats).map((u) => bot.handleUpdate(u as any)));
    const perSecond = updates / ((performance.now() - started) / 1000);
    log(`   bot.handleUpdate (stubbed client)   ${Math.round(perSecond)} updates/s  (${updates} updates, ${chats} chats)`);
    handleUpdatePerSecond = perSecond;
  } finally {
    Telegram.prototype.callApi = original;
  }

  // 2. The webhook server of a real process, fixed concurrency, replies to a stub API on loopback.
  const api = await startStubApi();
  const instance = await startInstance({ TELEGRAM_API_ROOT: api.apiRoot, LOG_LEVEL: 'warn', FLOOD_MAX_MESSAGES: '100000' });
  const requests = quick ? 2000 : 10_000;
  const concurrency = 32;
  // A light load generator (node:http, keep-alive, bodies made beforehand): on a 2-core machine the
  // client shares the CPU with the bot, and fetch() cost more than the bot itself.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const warmUp = 200;
  // Every body is a new update (update_id): a repeated one would be dropped as a redelivery.
  const bodies = Array.from({ length: warmUp + requests }, (_, i) =>
    Buffer.from(JSON.stringify(f.textUpdate(TEXTS[i % TEXTS.length]!, { from: f.user(50_000 + (i % chats)) }))),
  );
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = request(
        {
          agent,
          host: '127.0.0.1',
          port: instance.port,
          path: '/hook',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET },
        },
        (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  let failed = 0;
  const worker = (end: number) => async () => {
    while (next < end) {
      const i = next++;
      if ((await post(bodies[i]!)) !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker(warmUp)));
  const sentBefore = api.of('sendMessage').length;
  const cpuBefore = instance.cpuSeconds();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker(warmUp + requests)));
  const webhookPerSecond = requests / ((performance.now() - started) / 1000);
  // The load generator and the stub API share the two cores with the bot; the bot's own CPU time
  // per request says what one core could serve on its own.
  const botCpuMicrosPerRequest = ((instance.cpuSeconds() - cpuBefore) * 1e6) / requests;
  // Each update was answered (sendMessage) before its webhook request returned.
  const sent = api.of('sendMessage').length - sentBefore;
  if (sent < requests) log(`   (only ${sent} of ${requests} updates were answered)`);
  log(`   webhook server (one process)        ${Math.round(webhookPerSecond)} requests/s  (${requests} requests, concurrency ${concurrency}, stub API on loopback)`);
  if (botCpuMicrosPerRequest > 0) {
    log(`   the bot process used ${Math.round(botCpuMicrosPerRequest)} µs of CPU per request: ${Math.round(1e6 / botCpuMicrosPerRequest)} requests/s per core it had to itself`);
  }
  agent.destroy();
  if (failed) log(`   (${failed} webhook requests did not get 200)`);
  await instance.stop();
  await api.close();
  return { handleUpdatePerSecond, webhookPerSecond, webhookBotCpuMicrosPerRequest: botCpuMicrosPerRequest, updates, chats, webhookRequests: requests, concurrency };
}
