/**
 * End to end: the real bot process (`npm start` with TELEGRAM_API_ROOT)
 * against the telegram-test-api emulator, all on 127.0.0.1.
 * The emulator's getUpdates never blocks, so a small proxy in this harness
 * (not in production code) delays empty polls.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { PROJECT_ROOT } from '../../../src/content/load.js';

const TOKEN = '123456:TESTTOKENabcdefghijklmnopqrstu';
const freePort = () =>
  new Promise<number>((ok) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });

let emulator: TelegramServer;
let proxy: Server;
let child: ChildProcess;
let stderr = '';

/** Forwards to the emulator; an empty getUpdates answer is held back 50 ms. */
function startProxy(target: number, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const up = request({ host: '127.0.0.1', port: target, path: req.url, method: req.method, headers: req.headers }, (r) => {
        const body: Buffer[] = [];
        r.on('data', (c) => body.push(c));
        r.on('end', () => {
          const text = Buffer.concat(body);
          const empty = req.url?.endsWith('/getUpdates') && /"result":\[\]/.test(text.toString());
          setTimeout(() => res.writeHead(r.statusCode ?? 500, r.headers).end(text), empty ? 50 : 0);
        });
      });
      up.on('error', () => res.writeHead(502).end());
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

beforeAll(async () => {
  emulator = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 60 });
  await emulator.start();
  const proxyPort = await freePort();
  proxy = await startProxy(Number(new URL(emulator.config.apiURL).port), proxyPort);
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: `http://127.0.0.1:${proxyPort}`, LOG_LEVEL: 'info', BOT_MODE: 'polling' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  // Ready once it logs that it runs.
  const deadline = Date.now() + 20_000;
  while (!stderr.includes('"event":"started"')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`bot did not start:\n${stderr}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}, 40_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
  }
  proxy?.close();
  await emulator?.stop();
});

describe('the bot process against the Telegram emulator', () => {
  it('answers with buttons, follows a pressed button, opens a deep link, and stops cleanly', async () => {
    const client = emulator.getClient(TOKEN, { timeout: 10_000 });
    await client.sendMessage(client.makeMessage('微信怎么解除实名认证'));
    const first = (await client.getUpdates()).result[0] as any;
    expect(first.message.text).toContain('注销微信支付');
    const keyboard = first.message.reply_markup.inline_keyboard.flat();
    const facet = keyboard.find((b: any) => b.callback_data.startsWith('s|realname.remove|') && b.callback_data.length > 's|realname.remove|'.length);
    expect(facet).toBeDefined();

    await client.sendCallback(client.makeCallbackQuery(facet.callback_data, { message: { message_id: first.messageId } }));
    const second = (await client.getUpdates()).result[0] as any;
    expect(second.message.text).toContain(facet.text);

    await client.sendCommand(client.makeCommand('/start account_delete'));
    const third = (await client.getUpdates()).result[0] as any;
    expect(third.message.text).toContain('注销微信账号');

    // Logs hold no message text and no token.
    expect(stderr).not.toContain('微信怎么解除实名认证');
    expect(stderr).not.toContain(TOKEN);

    child.kill('SIGTERM');
    const code = await new Promise((ok) => child.once('exit', ok));
    expect(code).toBe(0);
  });
});
