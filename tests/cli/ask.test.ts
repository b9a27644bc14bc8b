/** The `ask` contract from the design, tested by spawning the real command. */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/content/load.js';

const ask = (args: string[], input = '') =>
  spawnSync('npm', ['run', '--silent', 'ask', '--', ...args], { cwd: PROJECT_ROOT, input, encoding: 'utf8', timeout: 60_000 });
const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe('ask --json', () => {
  it('prints one JSON object per input line, in order, and nothing else', () => {
    const input = ['微信怎么解除实名认证', '', '   ', '<b>x</b>', '今天天气怎么样', '註銷微信帳號要多久'].join('\n') + '\n';
    const r = ask(['--json'], input);
    expect(r.status).toBe(0);
    const out = lines(r.stdout).map((l) => JSON.parse(l));
    expect(out.map((o) => o.text)).toEqual(['微信怎么解除实名认证', '', '   ', '<b>x</b>', '今天天气怎么样', '註銷微信帳號要多久']);
    for (const o of out) {
      expect(Object.keys(o).sort()).toEqual(['candidates', 'confidence', 'facet', 'kind', 'reply', 'text', 'topic']);
      expect(typeof o.reply).toBe('string');
      expect(o.confidence).toBeGreaterThanOrEqual(0);
      expect(o.confidence).toBeLessThanOrEqual(1);
    }
    expect(out[0]).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    expect(out[0].reply).toContain('注销微信支付');
    expect(out[0].candidates[0]).toEqual({ topic: 'realname.remove', score: expect.any(Number) });
    expect(out[1]).toMatchObject({ kind: 'fallback', topic: null });
    expect(out[4]).toMatchObject({ kind: 'fallback', topic: null });
    expect(out[5]).toMatchObject({ topic: 'account.delete' });
  });

  it('treats each line as a new conversation by default', () => {
    const out = lines(ask(['--json'], '怎么注销微信账号\n要多久\n').stdout).map((l) => JSON.parse(l));
    expect(out[1].kind).toBe('fallback');
  });

  it('with --conversation, makes the lines turns of one conversation', () => {
    const out = lines(ask(['--json', '--conversation'], '怎么注销微信账号\n要多久\n那解除实名呢\n').stdout).map((l) => JSON.parse(l));
    expect(out.map((o) => [o.kind, o.topic, o.facet])).toEqual([
      ['answer', 'account.delete', null],
      ['followup', 'account.delete', 'duration'],
      // The elliptical switch carries the facet asked (how long) to the new topic.
      ['answer', 'realname.remove', 'duration'],
    ]);
  });
});

describe('ask "问题"', () => {
  it('prints one answer as text', () => {
    const r = ask(['微信怎么解除实名认证']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('注销微信支付');
    expect(r.stdout.trim().startsWith('{')).toBe(false);
  });

  it('explains its usage without a question', () => {
    const r = ask([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/usage/);
  });
});
