import { describe, it, expect } from 'vitest';
import { scanSensitive } from '../../src/nlu/sensitive.js';

describe('scanSensitive', () => {
  it('finds an 18-digit ID number (with an X check digit too)', () => {
    expect(scanSensitive('我的身份证110101199003074514被冒用了').kinds).toEqual(['id-number']);
    expect(scanSensitive('证件号 11010119900307451X').kinds).toEqual(['id-number']);
  });

  it('finds full-width digits', () => {
    expect(scanSensitive('１１０１０１１９９００３０７４５１４').kinds).toEqual(['id-number']);
  });

  it('finds 16-19 digit card numbers, also grouped by spaces or dashes', () => {
    expect(scanSensitive('卡号6222020212345678').kinds).toEqual(['card-number']);
    expect(scanSensitive('卡号 6222 0202 1234 5678 901').kinds).toEqual(['card-number']);
    expect(scanSensitive('6222-0202-1234-5678').kinds).toEqual(['card-number']);
  });

  it('finds a 4-6 digit code next to 验证码, before or after', () => {
    expect(scanSensitive('验证码是483920,要给客服吗').kinds).toEqual(['sms-code']);
    expect(scanSensitive('收到 5521 这个验证码').kinds).toEqual(['sms-code']);
  });

  it('finds mobile phone numbers', () => {
    expect(scanSensitive('我手机13812345678').kinds).toEqual(['phone-number']);
  });

  it('leaves ordinary numbers alone', () => {
    for (const s of ['95017', '2026-01-01 起', '60天', '第二十六条', '400-670-0700', '一年 100000 元', '1234']) {
      expect(scanSensitive(s).kinds).toEqual([]);
    }
  });

  it('removes the data from the text, keeping the question', () => {
    const { redacted } = scanSensitive('身份证110101199003074514被冒用了怎么办');
    expect(redacted).not.toMatch(/\d{6}/);
    expect(redacted).toContain('被冒用了怎么办');
  });

  it('reports a kind only when something was found', () => {
    expect(scanSensitive('验证码 123456').kinds.length).toBeGreaterThan(0);
    expect(scanSensitive('怎么注销').kinds).toEqual([]);
  });
});
