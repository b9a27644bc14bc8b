/**
 * Load: 1,000 chats × 10 turns, all chats at once, through the webhook of a
 * real bot process on Redis. Every chat must get exactly its own 10 replies,
 * in order, equal to what the engine answers for that conversation.
 * The time taken is printed for information; it is not asserted.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { hasRedis, startRedis, type RedisProcess } from './redis-server.js';
import { startInstance, type Instance } from './instances.js';
import { startStubApi, type StubApi } from '../adapters/telegram/stub-api.js';
import { renderHtml } from '../../src/render/html.js';
import { realEngine } from '../helpers.js';
import type { Session } from '../../src/engine/types.js';
import * as f from '../adapters/telegram/fixtures.js';

const CHATS = 1000;
const SCRIPTS = [
  ['怎么注销微信账号', '要多久?', '需要什么条件', '那解除实名呢', '要多久', '有什么影响', '身份证被别人拿去实名了怎么办', '找谁', '谢谢', '你是官方的吗'],
  ['微信实名能解除吗', '需要满足什么条件', '能撤销吗', '那注销账号呢', '会有什么后果', '微信被盗了怎么办', '具体怎么弄', '有人说花钱能代解除实名', '有什么风险', '谢谢'],
  ['你好', '微信怎么联系人工客服', '换绑手机号能解除实名吗', '解绑银行卡怎么弄', '要多久', '今天天气怎么样', '我想改实名', '需要什么条件', '不是这个', '1'],
];

describe.skipIf(!hasRedis)('load through the webhook', () => {
  let redis: RedisProcess;
  let api: StubApi;
  let bot: Instance;

  beforeAll(async () => {
    redis = await startRedis();
    api = await startStubApi();
    // On a 2-core CI machine this process also runs the load generator and the stub API, so the
    // bot's event loop can stall past the production 200 ms Redis timeout; that would test the
    // harness, not the bot. Redis timeouts have their own test (multi-instance: Redis killed).
    bot = await startInstance({
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: '2000',
      TELEGRAM_API_ROOT: api.apiRoot,
      LOG_LEVEL: 'warn',
      FLOOD_MAX_MESSAGES: '100',
    });
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await api?.close();
    await redis?.kill();
  });

  it(`${CHATS} chats × 10 turns: each chat gets exactly its own replies, in order`, async () => {
    const started = performance.now();
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: CHATS }, async (_, i) => {
        const from = f.user(100_000 + i);
        for (const text of SCRIPTS[i % SCRIPTS.length]!) statuses.push(await bot.post(f.textUpdate(text, { from })));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`load: ${CHATS * 10} updates in ${seconds.toFixed(1)} s (${Math.round((CHATS * 10) / seconds)} updates/s, one process, 1,000 chats at once)`);
    expect(statuses.every((s) => s === 200)).toBe(true);

    const byChat = new Map<number, string[]>();
    for (const c of api.of('sendMessage')) {
      const list = byChat.get(c.payload.chat_id) ?? [];
      list.push(c.payload.text);
      byChat.set(c.payload.chat_id, list);
    }
    const engine = realEngine();
    const expected = SCRIPTS.map((script) => {
      let session: Session | null = null;
      return script.map((text) => {
        const r = engine.respond(session, text);
        session = r.session;
        return renderHtml(r.reply)[0];
      });
    });
    let wrong = 0;
    for (let i = 0; i < CHATS; i++) {
      const got = byChat.get(100_000 + i) ?? [];
      const want = expected[i % SCRIPTS.length]!;
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        if (wrong++ === 0) {
          const turn = want.findIndex((w, k) => got[k] !== w);
          console.log(`chat ${i}: ${got.length} replies; first difference at turn ${turn + 1}: got ${JSON.stringify(got[turn]?.slice(0, 80))}, want ${JSON.stringify(want[turn]?.slice(0, 80))}`);
        }
      }
    }
    expect(wrong).toBe(0);
  }, 300_000);
});
