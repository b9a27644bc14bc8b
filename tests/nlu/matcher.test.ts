import { describe, it, expect } from 'vitest';
import { createMatcher, type Example } from '../../src/nlu/matcher.js';
import { normalize } from '../../src/nlu/normalize.js';

const ex = (label: string, ...texts: string[]): Example[] => texts.map((t) => ({ label, text: normalize(t) }));
const examples = [
  ...ex('a.remove', '怎么解除实名认证', '取消实名', '实名认证能解除吗', '解除实名怎么弄'),
  ...ex('a.delete', '怎么注销账号', '注销微信号', '账号注销要多久', '彻底删除账号'),
  ...ex('oos', '今天天气怎么样', '推荐一部电影', '红烧肉怎么做', '数学题怎么解'),
];

describe('createMatcher', () => {
  const m = createMatcher(examples, ex('a.remove', '解除实名'));

  it('ranks the right label first with a score in 0..1', () => {
    const [top, second] = m.rank(normalize('实名认证怎么解除'));
    expect(top!.label).toBe('a.remove');
    expect(top!.score).toBeGreaterThan(second!.score);
    for (const r of m.rank(normalize('注销账号'))) expect(r.score).toBeGreaterThanOrEqual(0), expect(r.score).toBeLessThanOrEqual(1);
  });

  it('scores every label, best first', () => {
    const r = m.rank(normalize('注销微信账号'));
    expect(r.map((x) => x.label).sort()).toEqual(['a.delete', 'a.remove', 'oos']);
    expect(r[0]!.label).toBe('a.delete');
  });

  it('sends unrelated text to the off-topic label or a low score', () => {
    const [top] = m.rank(normalize('明天天气怎么样'));
    expect(top!.label).toBe('oos');
  });

  it('tolerates a typo in a short query (fuse.js)', () => {
    expect(m.rank(normalize('解除实明'))[0]!.label).toBe('a.remove');
  });

  it('gives zeros for empty input', () => {
    expect(m.rank('').every((r) => r.score === 0)).toBe(true);
  });

  it('is deterministic', () => {
    expect(m.rank(normalize('解除实名'))).toEqual(m.rank(normalize('解除实名')));
  });
});
