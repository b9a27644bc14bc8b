import { describe, it, expect } from 'vitest';
import { parseChoice } from '../../src/nlu/choice.js';

const names = ['解除实名', '注销账号', '更换实名'];

describe('parseChoice', () => {
  it('reads digits and Chinese ordinals', () => {
    expect(parseChoice('1', names)).toBe(0);
    expect(parseChoice('第二个', names)).toBe(1);
    expect(parseChoice('选3', names)).toBe(2);
    expect(parseChoice('第三项', names)).toBe(2);
    expect(parseChoice('两', names)).toBe(1);
  });

  it('rejects numbers out of range', () => {
    expect(parseChoice('4', names)).toBeNull();
    expect(parseChoice('0', names)).toBeNull();
  });

  it('picks a candidate by its name or a unique part of it', () => {
    expect(parseChoice('注销账号', names)).toBe(1);
    expect(parseChoice('更换', names)).toBe(2);
  });

  it('does not pick on an ambiguous part or on other text', () => {
    expect(parseChoice('实名', names)).toBeNull();
    expect(parseChoice('微信怎么解绑银行卡', names)).toBeNull();
    expect(parseChoice('', names)).toBeNull();
  });
});
