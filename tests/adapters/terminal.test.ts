import { describe, it, expect } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { runTerminalChat } from '../../src/adapters/terminal/chat.js';
import { PROJECT_ROOT } from '../../src/content/load.js';
import { realEngine } from '../helpers.js';

async function chat(lines: string[]): Promise<string> {
  const output = new PassThrough();
  let text = '';
  output.on('data', (d: Buffer) => (text += d.toString('utf8')));
  await runTerminalChat(realEngine(), { input: Readable.from(lines.map((l) => l + '\n')), output, interactive: false, now: () => 0 });
  return text;
}

describe('terminal chat', () => {
  it('opens with a welcome that says what it answers and that it is unofficial', async () => {
    const out = await chat([]);
    expect(out).toMatch(/实名/);
    expect(out).toMatch(/不是腾讯或微信的官方服务/);
  });

  it('answers, and a number follows a suggestion', async () => {
    const out = await chat(['怎么注销微信账号', '1']);
    expect(out).toContain('【注销微信账号】');
    expect(out.split('【注销微信账号】').length).toBeGreaterThan(2);
  });

  it('understands /topics, /help and /reset, and stops at /quit', async () => {
    const out = await chat(['/topics', '/help', '/reset', '/quit', '怎么注销微信账号']);
    expect(out).toContain('我能回答这些话题');
    expect(out).toContain('/quit');
    expect(out).toContain('已经重新开始');
    expect(out).not.toContain('【注销微信账号】');
  });

  it('runs from `npm start` on piped stdin and exits cleanly at end of input', () => {
    const r = spawnSync('npm', ['start', '--silent'], {
      cwd: PROJECT_ROOT,
      input: '微信怎么解除实名认证\n',
      encoding: 'utf8',
      env: { ...process.env, TELEGRAM_BOT_TOKEN: '' },
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('注销微信支付');
  });
});
