/** Memory of a fresh process: RSS after the index is built, then with 10,000 and 100,000 live sessions. */
import { loadContent } from '../src/content/load.js';
import { createEngine } from '../src/engine/engine.js';
import { MemorySessionStore } from '../src/session/store.js';

const max = Number(process.argv[2] ?? 100_000);
const mb = () => {
  global.gc?.();
  return Math.round(process.memoryUsage().rss / 2 ** 20);
};
const engine = createEngine(loadContent());
const out: Record<string, number> = { index: mb() };
const store = new MemorySessionStore({ ttlMs: 30 * 60_000, maxEntries: 1_000_000 });
const texts = ['怎么注销微信账号', '微信怎么解除实名认证', '身份证被别人冒用了', '要多久'];
let session = null;
for (let i = 1; i <= max; i++) {
  const r = engine.respond(i % 4 === 3 ? session : null, texts[i % 4]!, 1_700_000_000_000 + i);
  session = r.session;
  await store.set(`${i}:${i}`, r.session);
  if (i === 10_000) out.s10k = mb();
  if (i === 100_000) out.s100k = mb();
}
process.stdout.write(JSON.stringify(out) + '\n');
