/**
 * Starts real redis-server processes on 127.0.0.1 for tests (.ci/run installs
 * Debian's redis-server). Without the binary these tests are skipped, unless
 * REQUIRE_REDIS=1 (CI), where a missing server is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, createConnection, type AddressInfo } from 'node:net';

export const hasRedis = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasRedis && process.env.REQUIRE_REDIS === '1') throw new Error('redis-server is not installed, but REQUIRE_REDIS=1');

export const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });

const ping = (port: number) =>
  new Promise<boolean>((ok) => {
    const c = createConnection({ port, host: '127.0.0.1' }, () => c.write('PING\r\n'));
    c.on('data', (d) => {
      ok(d.toString().startsWith('+PONG'));
      c.destroy();
    });
    c.on('error', () => ok(false));
  });

export interface RedisProcess {
  port: number;
  url: string;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  /** Starts again on the same port. */
  restart(): Promise<void>;
}

export async function startRedis(port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await ping(p)) return;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    throw new Error('redis-server did not start');
  };
  await launch();
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    kill: async () => {
      const exited = new Promise((ok) => proc.once('exit', ok));
      proc.kill('SIGKILL');
      await exited;
    },
    restart: launch,
  };
}
