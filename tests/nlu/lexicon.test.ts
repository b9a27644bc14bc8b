import { describe, it, expect } from 'vitest';
import { ageNumber, compileLexicon } from '../../src/nlu/lexicon.js';
import { createSegmenter } from '../../src/nlu/segment.js';
import type { Lexicon } from '../../src/content/load.js';

const lexicon: Lexicon = {
  entities: [
    { type: 'platform', value: 'wechat', forms: ['微信', 'wechat'] },
    { type: 'platform', value: 'weibo', forms: ['微博', '微博号'], route: 'other.platforms' },
    { type: 'object', value: 'pay', forms: ['微信支付', 'wechat pay'] },
    { type: 'action', value: 'close', forms: ['注销', '作废'] },
  ],
  synonyms: { 账号: ['帐号'], 怎么: ['咋'] },
};
const lex = compileLexicon(lexicon);
const seg = createSegmenter(lex.hanForms);
const tag = (text: string) => lex.tag(seg.cut(text), text).map((h) => `${h.type}=${h.value}@${text.slice(h.start, h.end)}`);

describe('compileLexicon', () => {
  it('rewrites synonyms to their canonical word', () => {
    expect(lex.canonical('帐号咋注销')).toBe('账号怎么注销');
  });

  it('tags the longest form first, with its span', () => {
    // 微信支付 also names WeChat (a form of another type inside it), marked as nested.
    expect(tag('微信支付怎么注销')).toEqual(['object=pay@微信支付', 'platform=wechat@微信支付', 'action=close@注销']);
    expect(lex.tag(seg.cut('微信支付'), '微信支付').map((h) => !!h.nested)).toEqual([false, true]);
    expect(tag('微信号作废')).toContain('action=close@作废');
  });

  it('tags multi-word Latin forms', () => {
    expect(tag('how to close wechat pay')).toEqual(['object=pay@wechat pay', 'platform=wechat@wechat pay']);
    expect(tag('wechat')).toEqual(['platform=wechat@wechat']);
  });

  it('knows routes and the first Han form of a value', () => {
    expect(lex.entry('platform', 'weibo')?.route).toBe('other.platforms');
    expect(lex.surface('object', 'pay')).toBe('微信支付');
    expect(lex.types).toEqual(['platform', 'object', 'action']);
  });
});

describe('ages', () => {
  const aged = compileLexicon({ entities: [{ type: 'person', value: 'minor', forms: ['未成年'], ages: [0, 17] }], synonyms: {} });
  const tagAged = (text: string) => aged.tag(seg.cut(text), text).map((h) => `${h.type}=${h.value}@${text.slice(h.start, h.end)}`);

  it('reads numbers written in digits and in Chinese numerals', () => {
    expect(['16', '十六', '十', '二十七', '两', '一百零二', '十二'].map(ageNumber)).toEqual([16, 16, 10, 27, 2, 102, 12]);
    expect(ageNumber('二三')).toBeNaN();
  });

  it('names a value whose range holds the age written, and no other', () => {
    expect(tagAged('儿子10岁了')).toEqual(['person=minor@10岁']);
    expect(tagAged('孩子十二周岁')).toEqual(['person=minor@十二周岁']);
    expect(tagAged('she is 15 years old')).toEqual(['person=minor@15 years old']);
    // The whole number counts: 26 is no 6, 二十七 no 七, 2026 no age at all.
    for (const adult of ['我今年26岁', '我二十七岁', '18岁', '活到2026岁', '三十岁']) expect(tagAged(adult), adult).toEqual([]);
    // A form and an age on the same words name the value once.
    expect(tagAged('未成年 16岁')).toEqual(['person=minor@未成年', 'person=minor@16岁']);
  });
});

describe('createSegmenter', () => {
  it('keeps lexicon words whole and gives spans', () => {
    const s = createSegmenter(['实名认证', '零钱通']);
    const tokens = s.cut('微信怎么解除实名认证,零钱通呢');
    expect(tokens.map((t) => t.text)).toContain('实名认证');
    expect(tokens.map((t) => t.text)).toContain('零钱通');
    for (const t of tokens) expect('微信怎么解除实名认证,零钱通呢'.slice(t.start, t.end)).toBe(t.text);
  });

  it('drops spaces and survives odd input', () => {
    const s = createSegmenter([]);
    expect(s.cut('   ')).toEqual([]);
    expect(s.cut('a  b').map((t) => t.text)).toEqual(['a', 'b']);
  });

  it('tells the words of its dictionary and user words from other stretches', () => {
    const s = createSegmenter(['零钱通']);
    expect(['清楚', '取笑', '过时', '零钱通'].map((w) => s.isWord(w))).toEqual([true, true, true, true]);
    expect(['实明', '解帮', '清楚了吗'].map((w) => s.isWord(w))).toEqual([false, false, false]);
  });
});
