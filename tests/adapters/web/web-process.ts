/** Real processes of the web chat (`npm run web`, or `npm start` with WEB_PORT) on 127.0.0.1. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../../../src/content/load.js';
import { freePort } from '../../production/redis-server.js';

export interface WebProcess {
  port: number;
  base: string;
  /** CPU seconds (user + system) the process has used so far (Linux /proc; 0 elsewhere). */
  cpuSeconds(): number;
  logs(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `script` (default src/cli/web.ts) with `env`, and waits until GET /healthz answers on
 * `port` (a free port, passed as PORT, when not given).
 */
export async function startWebProcess(env: Record<string, string> = {}, options: { script?: string; port?: number } = {}): Promise<WebProcess> {
  const port = options.port ?? (await freePort());
  let logs = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', options.script ?? 'src/cli/web.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (logs += d.toString()));
  child.stderr!.on('data', (d) => (logs += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`web chat did not start:\n${logs}`);
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    base: `http://127.0.0.1:${port}`,
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
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}
