import { describe, it, expect } from 'vitest';
import { textKey, trainSoftmax, visitOrder } from '../../src/nlu/softmax.js';

const keysOf = (texts: string[]) => Uint32Array.from(texts, (t) => textKey('x', t));
const texts = Array.from({ length: 200 }, (_, i) => `第${i}句 实名 ${i % 7}`);

describe('softmax training order', () => {
  it('visits every row once per pass, in a new order each pass', () => {
    const keys = keysOf(texts);
    const [first, second] = [visitOrder(keys, 0), visitOrder(keys, 1)];
    expect([...first].sort((a, b) => a - b)).toEqual(texts.map((_, i) => i));
    expect([...second].sort((a, b) => a - b)).toEqual(texts.map((_, i) => i));
    expect([...first]).not.toEqual([...second]);
  });

  it('keeps the relative order of the other rows when a row is removed or added (a curator edit reshuffles nothing)', () => {
    const before = texts.map((t) => t);
    const after = [...before.slice(0, 50), ...before.slice(51), '新加的一句 解绑身份证'];
    for (const pass of [0, 1, 2]) {
      const a = [...visitOrder(keysOf(before), pass)].map((i) => before[i]).filter((t) => after.includes(t!));
      const b = [...visitOrder(keysOf(after), pass)].map((i) => after[i]).filter((t) => before.includes(t!));
      expect(b).toEqual(a);
    }
  });

  it('visits rows with the same key in row order (a line written twice)', () => {
    const keys = Uint32Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 42 : textKey('x', String(i))));
    for (const pass of [0, 1, 2]) {
      const same = [...visitOrder(keys, pass)].filter((i) => i % 3 === 0);
      expect(same).toEqual([...same].sort((a, b) => a - b));
    }
  });

  it('keys an example by its label and its text', () => {
    expect(textKey('a', '实名')).toBe(textKey('a', '实名'));
    expect(textKey('a', '实名')).not.toBe(textKey('b', '实名'));
    expect(textKey('a', 'b实名')).not.toBe(textKey('ab', '实名'));
  });

  it('learns the same model from the same data', () => {
    const data = [
      { ids: Int32Array.of(0, 1), weights: Float64Array.of(1, 1) },
      { ids: Int32Array.of(2), weights: Float64Array.of(1) },
      { ids: Int32Array.of(0, 2), weights: Float64Array.of(1, 0.5) },
    ];
    const labels = Int32Array.of(0, 1, 0);
    const options = { epochs: 3, learningRate: 4, keys: Uint32Array.of(7, 8, 9) };
    const [m1, m2] = [trainSoftmax(data, labels, 2, 3, options), trainSoftmax(data, labels, 2, 3, options)];
    const q = { ids: Int32Array.of(0), weights: Float64Array.of(1) };
    expect([...m1.predict(q)]).toEqual([...m2.predict(q)]);
    expect(m1.predict(q)[0]).toBeGreaterThan(0.5);
    expect(m1.predict({ ids: Int32Array.of(2), weights: Float64Array.of(1) })[1]).toBeGreaterThan(0.5);
  });
});
