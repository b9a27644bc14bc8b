/**
 * (g) The web chat: page weight gzipped, requests per second through
 * POST /api/chat on one process (`npm run web`) at concurrency 32, and the
 * time from opening the page (a `?q=` deep link) to the first answer in
 * headless Chromium.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chromium } from 'playwright-core';
import { startWebProcess } from '../tests/adapters/web/web-process.js';

const TEXTS = ['微信怎么解除实名认证', '要多久?', '怎么注销微信账号', '需要什么条件', '身份证被别人冒用了怎么办', '找谁', '谢谢', '微信怎麼解除實名認證'];
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Fetched {
  status: number;
  bytes: number;
  body: string;
}

function get(agent: Agent, port: number, path: string, gzip: boolean): Promise<Fetched> {
  return new Promise((ok, fail) => {
    request({ agent, host: '127.0.0.1', port, path, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        const body = Buffer.concat(chunks);
        ok({ status: res.statusCode ?? 0, bytes: body.length, body: gzip ? '' : body.toString('utf8') });
      });
    })
      .on('error', fail)
      .end();
  });
}

/**
 * Sends requests one after another on one keep-alive socket until `next` returns null. A
 * response is complete when its Content-Length bytes have arrived (the API always sends it).
 */
function loadOverSocket(port: number, next: () => Buffer | null, done: (status: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    const send = () => {
      const request = next();
      if (!request) return void socket.end(resolve);
      socket.write(request);
    };
    socket.on('connect', send);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        done(Number(head.slice(9, 12)));
        buffer = buffer.subarray(end + 4 + length);
        send();
      }
    });
  });
}

/** A node:http server in its own process that answers every request with `body` (a JSON string). */
async function startBareServer(body: string): Promise<{ port: number; stop(): void }> {
  const code = `const b = Buffer.from(${JSON.stringify(body)});
require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': b.length }).end(b)); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { port: Number(line.toString().trim()), stop: () => void child.kill() };
}

export async function measureWeb({ quick, log }: { quick: boolean; log: (s: string) => void }) {
  log('\n(g) Web chat (npm run web, one process)');
  const web = await startWebProcess({ LOG_LEVEL: 'warn', FLOOD_MAX_MESSAGES: '100000000' });
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  try {
    // 1. Page weight: the HTML and the two files it names, as a browser gets them (gzip).
    const html = await get(agent, web.port, '/', false);
    const assets = [...html.body.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]!);
    const weights: Record<string, { raw: number; gzip: number }> = {};
    for (const path of ['/', ...assets]) {
      const [raw, gzip] = [await get(agent, web.port, path, false), await get(agent, web.port, path, true)];
      weights[path === '/' ? 'html' : path.endsWith('.js') ? 'js' : 'css'] = { raw: raw.bytes, gzip: gzip.bytes };
    }
    const total = Object.values(weights).reduce((a, w) => ({ raw: a.raw + w.raw, gzip: a.gzip + w.gzip }), { raw: 0, gzip: 0 });
    const kb = (n: number) => (n / 1024).toFixed(1);
    log(
      `   page weight                 ${kb(total.gzip)} KB gzipped (${kb(total.raw)} KB raw): ` +
        Object.entries(weights).map(([k, w]) => `${k} ${kb(w.gzip)}`).join(', ') +
        ' KB; target ≤ 30 KB',
    );

    // 2. Throughput through POST /api/chat: 1,000 sessions (cookies), keep-alive. The load generator
    // shares the two cores with the server, so it is kept light: raw sockets, prebuilt requests.
    const requests = quick ? 3000 : 20_000;
    const concurrency = 32;
    const sessions = Array.from({ length: 1000 }, () => `rh_sid=${randomBytes(32).toString('base64url')}`);
    const build = (i: number) => {
      const body = Buffer.from(JSON.stringify({ text: TEXTS[Math.floor(i / sessions.length) % TEXTS.length] }));
      const head = `POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nCookie: ${sessions[i % sessions.length]}\r\n\r\n`;
      return Buffer.concat([Buffer.from(head), body]);
    };
    const warmUp = 1000;
    const prebuilt = Array.from({ length: warmUp + requests }, (_, i) => build(i));
    const run = async (port: number, from: number, to: number) => {
      let next = from;
      let failed = 0;
      await Promise.all(
        Array.from({ length: concurrency }, () =>
          loadOverSocket(port, () => (next < to ? prebuilt[next++]! : null), (status) => status !== 200 && failed++),
        ),
      );
      return failed;
    };
    await run(web.port, 0, warmUp);
    const cpuBefore = web.cpuSeconds();
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    const failed = await run(web.port, warmUp, warmUp + requests);
    const perSecond = requests / ((performance.now() - started) / 1000);
    const cpuMicros = ((web.cpuSeconds() - cpuBefore) * 1e6) / requests;
    const client = process.cpuUsage(clientBefore);
    const clientMicros = (client.user + client.system) / requests;
    log(`   POST /api/chat              ${Math.round(perSecond)} requests/s  (${requests} requests, concurrency ${concurrency}, 1,000 sessions; target ≥ 3,000)`);
    if (cpuMicros > 0) {
      log(`   the server used ${Math.round(cpuMicros)} µs of CPU per request (${Math.round(1e6 / cpuMicros)} requests/s per core it had to itself); the load generator ${Math.round(clientMicros)} µs`);
    }
    if (failed) log(`   (${failed} requests did not get 200)`);

    // The same load against a bare node:http server that answers a fixed JSON of the same size:
    // the ceiling of this machine for any node:http service, whatever it computes.
    const sample = JSON.stringify((await new Promise<string>((ok) => {
      const r = request({ host: '127.0.0.1', port: web.port, path: '/api/chat', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => ok(text));
      });
      r.end(JSON.stringify({ text: TEXTS[0] }));
    })));
    const bare = await startBareServer(sample);
    let barePerSecond = 0;
    try {
      await run(bare.port, 0, warmUp);
      const t = performance.now();
      await run(bare.port, warmUp, warmUp + requests);
      barePerSecond = requests / ((performance.now() - t) / 1000);
      log(`   bare node:http, same load   ${Math.round(barePerSecond)} requests/s  (a fixed JSON of ${(Buffer.byteLength(JSON.parse(sample)) / 1024).toFixed(1)} KB, an answer's size, no work: this machine's ceiling for node:http)`);
    } finally {
      bare.stop();
    }

    // 3. Opening the page to the first answer, in headless Chromium, a fresh profile (cold cache) each time.
    let firstAnswerMs: number | null = null;
    if (existsSync(CHROMIUM_PATH)) {
      const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
      try {
        const times: number[] = [];
        for (let i = 0; i < (quick ? 3 : 7); i++) {
          const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
          const page = await context.newPage();
          const t = performance.now();
          await page.goto(`${web.base}/?q=${encodeURIComponent('微信怎么解除实名认证')}`, { waitUntil: 'commit' });
          await page.locator('article.msg.bot h2', { hasText: '解除微信实名认证' }).waitFor();
          times.push(performance.now() - t);
          await context.close();
        }
        times.sort((a, b) => a - b);
        firstAnswerMs = times[Math.floor(times.length / 2)]!;
        log(`   open /?q=… -> first answer  ${firstAnswerMs.toFixed(0)} ms in headless Chromium (median of ${times.length}, fresh profile each; min ${times[0]!.toFixed(0)} ms)`);
      } finally {
        await browser.close();
      }
    } else {
      log(`   (no Chromium at ${CHROMIUM_PATH}: time to first answer not measured)`);
    }
    return {
      pageWeightBytes: { ...weights, total },
      apiPerSecond: perSecond,
      apiCpuMicrosPerRequest: cpuMicros,
      loadGeneratorCpuMicrosPerRequest: clientMicros,
      bareNodeHttpPerSecond: barePerSecond,
      requests,
      concurrency,
      firstAnswerMs,
    };
  } finally {
    agent.destroy();
    await web.stop();
  }
}
