import { describe, it, expect } from 'vitest';
import { headAndTail } from '../../src/engine/engine.js';

/** The obvious implementation, by code points. */
const reference = (text: string, max: number) => {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max / 2).join('') + ' ' + chars.slice(-max / 2).join('');
};

describe('headAndTail', () => {
  it('keeps a short text as it is', () => {
    expect(headAndTail('微信怎么解除实名', 240)).toBe('微信怎么解除实名');
  });

  it('keeps the beginning and the end of a long text, where the question usually is', () => {
    const story = '我老公用我身份证实名了他的微信,' + '然后'.repeat(300) + '现在离婚了怎么办';
    const cut = headAndTail(story, 40);
    expect(cut.startsWith('我老公用我身份证实名了他的微信,')).toBe(true);
    expect(cut.endsWith('现在离婚了怎么办')).toBe(true);
    expect([...cut].length).toBe(41);
  });

  it('never splits a surrogate pair, lone surrogates included (same as cutting by code points)', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const pieces = ['实', 'a', '😀', '\ud83d', '\ude00', ' ', '𠀀'];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from({ length: rand(60) }, () => pieces[rand(pieces.length)]).join('');
      const max = 2 * (1 + rand(15));
      expect(headAndTail(text, max), JSON.stringify(text)).toBe(reference(text, max));
    }
  });
});
