import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { loadEnv, ConfigError } from '../../src/config/env.js';
import { PROJECT_ROOT } from '../../src/content/load.js';

const TOKEN = '123456:TESTTOKENabcdefghijklmnopqrstu';

describe('loadEnv', () => {
  it('has sensible defaults: terminal chat, polling, 30 minutes', () => {
    const env = loadEnv({});
    expect(env.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(env).toMatchObject({ BOT_MODE: 'polling', CONTEXT_TTL_MINUTES: 30, PORT: 8080 });
  });

  it('names the bad variable and never prints its value', () => {
    const bad = '12345:short-secret-value';
    try {
      loadEnv({ TELEGRAM_BOT_TOKEN: bad });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/TELEGRAM_BOT_TOKEN/);
      expect((err as Error).message).not.toContain(bad);
    }
  });

  it('refuses webhook mode without a secret and a URL', () => {
    expect(() => loadEnv({ TELEGRAM_BOT_TOKEN: TOKEN, BOT_MODE: 'webhook' })).toThrow(/WEBHOOK_URL.*WEBHOOK_SECRET|WEBHOOK_SECRET.*WEBHOOK_URL/s);
    expect(() => loadEnv({ TELEGRAM_BOT_TOKEN: TOKEN, BOT_MODE: 'webhook', WEBHOOK_URL: 'https://example.org/tg', WEBHOOK_SECRET: 'has spaces' })).toThrow(/WEBHOOK_SECRET/);
    expect(loadEnv({ TELEGRAM_BOT_TOKEN: TOKEN, BOT_MODE: 'webhook', WEBHOOK_URL: 'https://example.org/tg', WEBHOOK_SECRET: 'abc_DEF-123' }).BOT_MODE).toBe('webhook');
  });

  it('reads numbers and flags', () => {
    expect(loadEnv({ CONTEXT_TTL_MINUTES: '5', DROP_PENDING_UPDATES: 'true', PORT: '9000' })).toMatchObject({ CONTEXT_TTL_MINUTES: 5, DROP_PENDING_UPDATES: true, PORT: 9000 });
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('stops `npm start` with one clear line, without a stack trace or the token', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TELEGRAM_BOT_TOKEN: TOKEN, BOT_MODE: 'webhook' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/realname-helper: invalid configuration: WEBHOOK_URL/);
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
