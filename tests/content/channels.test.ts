import { describe, it, expect, afterEach } from 'vitest';
import { readContent } from '../../src/content/load.js';
import { lintBodies } from '../../src/content/check.js';
import { realKnowledge, copyOfData } from '../helpers.js';

let data: ReturnType<typeof copyOfData> | undefined;
afterEach(() => data?.cleanup());

function lintAfter(file: string, change: (t: string) => string) {
  data = copyOfData();
  data.edit(file, change);
  const { kb, sources } = readContent(data.root);
  return lintBodies(kb!, sources);
}

describe('channels', () => {
  it('every channel has a unique id and a value', () => {
    const kb = realKnowledge();
    expect(kb.channels.size).toBeGreaterThan(10);
    for (const c of kb.channels.values()) expect(c.value.trim()).not.toBe('');
  });

  it('the hotlines of the fact sheet are listed', () => {
    const values = [...realKnowledge().channels.values()].map((c) => c.value);
    expect(values).toEqual(expect.arrayContaining(['95017', '400-670-0700', '110', '96110']));
  });

  it('every topic answer ends with at least one official channel', () => {
    for (const t of realKnowledge().topics) expect(t.content.channels.length, t.id).toBeGreaterThan(0);
  });

  it('the real content has no phone number, URL or in-app path outside channels.yaml', () => {
    const { kb, sources } = readContent();
    expect(lintBodies(kb!, sources).filter((p) => !p.message.startsWith('never say'))).toEqual([]);
  });

  it('flags a phone number typed into content', () => {
    const problems = lintAfter('content/support.contact.md', (t) => t + '\n\n也可以拨打 95017 或 4008123123。\n');
    const messages = problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/4008123123/);
    expect(messages).toMatch(/95017/);
  });

  it('flags a URL that is not in channels.yaml', () => {
    const problems = lintAfter('content/support.contact.md', (t) => t + '\n\n详见 https://example.com/faq\n');
    expect(problems.map((p) => p.message).join('\n')).toMatch(/https:\/\/example.com\/faq is not in content\/channels.yaml/);
  });

  it('flags an in-app path typed into content', () => {
    const problems = lintAfter('content/support.contact.md', (t) => t + '\n\n打开 我 > 设置 > 帮助与反馈。\n');
    expect(problems.map((p) => p.message).join('\n')).toMatch(/in-app path/);
  });
});
