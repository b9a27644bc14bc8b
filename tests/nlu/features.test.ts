import { describe, it, expect } from 'vitest';
import { features } from '../../src/nlu/features.js';

describe('features', () => {
  it('makes character unigrams and bigrams from Chinese (natural would drop them)', () => {
    const f = features('解除实名');
    for (const t of ['解', '除', '实', '名', '解除', '除实', '实名']) expect(f).toContain(t);
  });

  it('gives Chinese only character n-grams: no word segmentation to get wrong', () => {
    expect(features('微信支付')).toEqual(['微', '微信', '信', '信支', '支', '支付', '付']);
  });

  it('makes words and character trigrams from Latin text', () => {
    const f = features('shiming renzheng');
    expect(f).toContain('w:shiming');
    expect(f).toContain('t:shi');
    expect(features('shimingrenzheng')).toContain('t:shi');
  });

  it('keeps Chinese and Latin runs apart', () => {
    const f = features('wechat注销');
    expect(f).toContain('w:wechat');
    expect(f).toContain('注销');
    expect(f).not.toContain('t注');
  });

  it('returns nothing for empty input', () => {
    expect(features('')).toEqual([]);
  });
});
