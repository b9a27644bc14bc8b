import { describe, it, expect, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { checkContent, HELD_OUT_LIMITS } from '../../src/content/check.js';
import { PROJECT_ROOT } from '../../src/content/load.js';
import { copyOfData, realKnowledge } from '../helpers.js';

let data: ReturnType<typeof copyOfData> | undefined;
afterEach(() => data?.cleanup());

const messagesAfter = (file: string, change: (t: string) => string) => {
  data = copyOfData();
  data.edit(file, change);
  return checkContent(data.root).problems.map((p) => `${p.file}: ${p.message}`);
};

describe('npm run check', () => {
  it('is clean on the committed content and exits 0', () => {
    const r = spawnSync('npm', ['run', '--silent', 'check'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(r.stdout).toMatch(/content OK: no problems/);
    expect(r.status).toBe(0);
  });

  const planted: [string, string][] = [
    ['real-name only by deleting the account', '实名认证只能注销账号才能解除。'],
    ['a fabricated statistic', '人工审核通过率不到0.3%。'],
    ['the 0.01 yuan threshold', '余额需低于0.01元。'],
    ['a fixed cooling-off period', '注销冷静期为15天。'],
    ['an unhedged 60 days', '60天后账号会被删除。'],
    ['complete erasure of identity data', '注销后身份信息会被彻底删除。'],
    ['the old article number alone', '依据网络安全法第二十四条。'],
    ['an invented policy', '网信办的实名标识动态管理。'],
    ['a customer-service secret code', '拨通后输入ECPG转人工。'],
    ['an invented path', '在账号与安全 > 实名认证 > 解除认证里操作。'],
  ];
  for (const [what, sentence] of planted) {
    it(`fails on a planted never-say phrase: ${what}`, () => {
      const messages = messagesAfter('content/realname.remove.md', (t) => t + `\n\n${sentence}\n`);
      expect(messages.some((m) => m.startsWith('content/realname.remove.md') && m.includes('never say'))).toBe(true);
    });
  }

  it('accepts the hedged cooling-off sentence of the fact sheet', () => {
    const messages = messagesAfter('content/realname.remove.md', (t) =>
      t + '\n\n提交后会有一段注销冷静期(历史上为60天),以申请页面《注销须知》显示为准。\n',
    );
    expect(messages.filter((m) => m.includes('never say'))).toEqual([]);
  });

  it('lists an utterance that appears under two topics', () => {
    const messages = messagesAfter('intents/bankcard.unbind.yaml', (t) => t.replace('utterances:', 'utterances:\n  - 怎么注销微信账号怎么弄'));
    data!.edit('intents/account.delete.yaml', (t) => t.replace('utterances:', 'utterances:\n  - 怎么注销微信账号怎么弄'));
    const again = checkContent(data!.root).problems.map((p) => p.message);
    expect([...messages, ...again].some((m) => /also appears under/.test(m))).toBe(true);
  });

  it('fails on a training line that, held out, clearly reads as another topic', () => {
    const messages = messagesAfter('intents/bankcard.unbind.yaml', (t) => t.replace('utterances:', 'utterances:\n  - 微信号注销以后聊天记录还能恢复吗'));
    expect(
      messages.some((m) => m.startsWith('intents/bankcard.unbind.yaml') && /held out: "微信号注销以后聊天记录还能恢复吗" routes to account.delete .*reads like that topic/.test(m)),
    ).toBe(true);
  });

  it('only warns about lines the matcher learns weakly, and lists them', () => {
    data = copyOfData();
    const clean = checkContent(data.root);
    expect(clean.problems).toEqual([]);
    // Misrouted when held out, but weakly: advice, not a failure.
    for (const w of clean.warnings) {
      const score = Number(/\((\d\.\d+)\)/.exec(w.message)?.[1]);
      expect(w.message.includes('routes to oos') || score < HELD_OUT_LIMITS.conflictAbove, w.message).toBe(true);
    }
  });

  it('fails when a topic as a whole is learned too poorly', () => {
    // Forty off-topic questions (each with a 吧 added, so not duplicates) filed under bank cards.
    const offTopic = realKnowledge().offTopic.slice(0, 40);
    const wrong = offTopic.map((u) => `  - "${u}吧"`).join('\n');
    const messages = messagesAfter('intents/bankcard.unbind.yaml', (t) => t.replace('utterances:', 'utterances:\n' + wrong));
    expect(messages.some((m) => /intents\/bankcard.unbind.yaml: held out, only \d+\/\d+ lines route to bankcard.unbind/.test(m))).toBe(true);
  });

  it('exits non-zero and lists every problem', () => {
    data = copyOfData();
    data.edit('content/realname.remove.md', (t) => t + '\n\n余额需低于0.01元。\n');
    const r = spawnSync('npm', ['run', '--silent', 'check', '--', data.root], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/content\/realname.remove.md:\d+: never say "0.01元"/);
    expect(r.stdout).toMatch(/\d+ problem\(s\)/);
  });
});
