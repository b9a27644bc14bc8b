import { describe, it, expect } from 'vitest';
import { createPinyinConverter } from '../../src/nlu/pinyin.js';

const p = createPinyinConverter({
  domainWords: ['微信', '实名', '实名认证', '注销', '身份证', '解除', '改'],
  knownWords: ['怎么', '微信', '解除', '账号', '要多久'],
});

describe('pinyin', () => {
  it('rewrites a whole-pinyin question to the Han words it spells, spaced or not', () => {
    expect(p.rewrite('weixin zenme jiechu shiming renzheng')).toBe('微信怎么解除实名认证');
    expect(p.rewrite('weixinzenmejiechushimingrenzheng')).toBe('微信怎么解除实名认证');
  });

  it('ignores tone marks and tone numbers', () => {
    expect(p.rewrite('wēixìn shímíng')).toBe('微信实名');
    expect(p.rewrite('shi2ming2 jie3chu2')).toBe('实名解除');
  });

  it('repairs homophone typos of lexicon words, keeping at least one character', () => {
    expect(p.rewrite('实明认证怎么注消')).toBe('实名认证怎么注销');
    expect(p.rewrite('威信')).toBe('微信');
    // 好吗 sounds like no domain word that shares a character with it: left alone.
    expect(p.rewrite('可以好吗')).toBe('可以好吗');
  });

  it('never repairs a stretch that a domain word written right runs through ("去实名" is no 去世 + 名)', () => {
    const both = createPinyinConverter({ domainWords: ['实名', '去世', '微信'], knownWords: ['怎么'] });
    expect(both.rewrite('微信怎么去实名')).toBe('微信怎么去实名');
    // A typo of 去世 beside no such word is still repaired.
    expect(both.rewrite('我爸去事了')).toBe('我爸去世了');
  });

  it('never repairs a word of the general dictionary into the domain word it sounds like', () => {
    const words = new Set(['清楚', '过时']);
    const withWords = createPinyinConverter({ domainWords: ['清除', '过世', '实名'], knownWords: [], isWord: (w) => words.has(w) });
    expect(withWords.rewrite('清楚了')).toBe('清楚了');
    expect(withWords.rewrite('这个说法过时了吗')).toBe('这个说法过时了吗');
    // A typo that is no word is still repaired.
    expect(withWords.rewrite('实明')).toBe('实名');
    // Without the dictionary, a stretch that sounds like a domain word is taken for its typo.
    expect(createPinyinConverter({ domainWords: ['清除'], knownWords: [] }).rewrite('清楚了')).toBe('清除了');
  });

  it('leaves English and mixed text alone', () => {
    expect(p.rewrite('how to remove real name')).toBe('how to remove real name');
    expect(p.rewrite('wechat pay')).toBe('wechat pay');
  });

  it('reads no bare i, u or ü as a syllable: pinyin writes yi, wu, yu', () => {
    // "name can i delete" would spell na-me-can-i-de-le-te; with a bare i it is no pinyin stretch.
    expect(p.rewrite('real name can i delete it')).toBe('real name can i delete it');
    expect(p.rewrite('weixin zenme jiechu')).toBe('微信怎么解除');
  });

  it('never reads the English words it was given as pinyin, whatever they spell', () => {
    const english = createPinyinConverter({
      domainWords: ['微信', '实名', '删除', '那么'],
      knownWords: ['怎么', '微信', '那么', '的'],
      englishWords: ['name', 'delete', 'can'],
    });
    expect(english.rewrite('ok name can delete weixin')).toBe('ok name can delete weixin');
    expect(english.rewrite('ok name weixin name')).toBe('ok name weixin name');
    expect(english.rewrite('weixin zenme shanchu shiming')).toBe('微信怎么删除实名');
    // Without the list, the same words are a pinyin stretch.
    const plain = createPinyinConverter({ domainWords: ['微信', '实名', '删除', '那么'], knownWords: ['怎么', '微信', '那么', '的'] });
    expect(plain.rewrite('ok name weixin name')).toBe('ok 那么微信那么');
  });
});
