/** Real bot processes (`node --import tsx src/main.ts`) in webhook mode, for production tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../../src/content/load.js';
import { freePort } from './redis-server.js';

export const TOKEN = '123456:TESTTOKENabcdefghijklmnopqrstu';
export const SECRET = 'prod_test_secret-42';

export interface Instance {
  port: number;
  /** CPU seconds (user + system) the instance's process has used so far (Linux /proc; 0 elsewhere). */
  cpuSeconds(): number;
  logs: () => string;
  post(body: unknown): Promise<number>;
  stop(): Promise<number | null>;
  alive(): boolean;
}

export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  let logs = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      TELEGRAM_BOT_TOKEN: TOKEN,
      BOT_MODE: 'webhook',
      WEBHOOK_URL: `http://127.0.0.1:${port}/hook`,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (logs += d.toString()));
  child.stderr!.on('data', (d) => (logs += d.toString()));
  // Ready when the webhook server answers /healthz (it listens before setWebhook is called).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`instance did not start:\n${logs}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    cpuSeconds: () => {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat: utime and stime, in clock ticks (100 per second on Linux).
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return 0;
      }
    },
    logs: () => logs,
    alive: () => child.exitCode === null && child.signalCode === null,
    post: async (body) => {
      const res = await fetch(`http://127.0.0.1:${port}/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status;
    },
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
