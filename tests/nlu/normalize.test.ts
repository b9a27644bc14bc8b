import { describe, it, expect } from 'vitest';
import { normalize, isTraditional, toTraditional } from '../../src/nlu/normalize.js';

describe('normalize', () => {
  it('applies NFKC: full-width letters and digits become ASCII', () => {
    expect(normalize('ＷｅＣｈａｔ１２３')).toBe('wechat123');
  });

  it('converts Traditional to Simplified', () => {
    expect(normalize('註銷微信帳號要多久')).toBe('注销微信帐号要多久');
    expect(normalize('身份證被盜用怎麼辦')).toBe('身份证被盗用怎么办');
  });

  it('lower-cases Latin text', () => {
    expect(normalize('Delete WeChat Account')).toBe('delete wechat account');
  });

  it('strips punctuation, emoji and zero-width characters', () => {
    expect(normalize('微信\u200b实名😀认证???!!')).toBe('微信实名认证');
    expect(normalize('「注销」,微信支付。')).toBe('注销微信支付');
  });

  it('drops filler words but keeps the question', () => {
    expect(normalize('请问微信怎么解除实名啊')).toBe('微信怎么解除实名');
    expect(normalize('你好我想问一下注销账号要多久呢')).toBe('注销账号要多久');
  });

  it('keeps a message that is only filler, so nothing is lost', () => {
    expect(normalize('啊')).toBe('啊');
  });

  it('leaves variant spellings to the lexicon (帐号 stays; intents/_lexicon.yaml rewrites it)', () => {
    expect(normalize('帐号')).toBe('帐号');
  });

  it('joins Han characters split by spaces, keeps Latin words apart', () => {
    expect(normalize('微信 实名  认证')).toBe('微信实名认证');
    expect(normalize('shiming  renzheng')).toBe('shiming renzheng');
  });

  it('returns an empty string for empty, whitespace, emoji-only and control input', () => {
    for (const s of ['', '   \t\n', '😀🎉👍', '\u0000\u0007\u001b[31m']) expect(normalize(s)).toBe(normalize(s).trim());
    expect(normalize('')).toBe('');
    expect(normalize('   ')).toBe('');
    expect(normalize('😀🎉👍')).toBe('');
  });

  it('is deterministic', () => {
    const s = '微信實名認證怎麼解除?';
    expect(normalize(s)).toBe(normalize(s));
  });
});

describe('isTraditional / toTraditional', () => {
  it('tells Traditional from Simplified', () => {
    expect(isTraditional('微信實名認證怎麼解除')).toBe(true);
    expect(isTraditional('微信实名认证怎么解除')).toBe(false);
    expect(isTraditional('hello')).toBe(false);
  });

  it('converts replies to Traditional', () => {
    expect(toTraditional('注销微信支付')).toBe('註銷微信支付');
  });
});
