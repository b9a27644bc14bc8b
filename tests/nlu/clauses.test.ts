import { describe, it, expect } from 'vitest';
import { clauses } from '../../src/nlu/clauses.js';

describe('clauses', () => {
  it('splits a message at its Chinese and Latin clause punctuation and line breaks', () => {
    expect(clauses('我爸上个月走了,他微信零钱里还有钱。我们想取出来?要走什么流程！', 3)).toEqual(['我爸上个月走了', '他微信零钱里还有钱', '我们想取出来', '要走什么流程']);
    expect(clauses('家里老人，手机；不会用、微信\n怎么注销', 2)).toEqual(['家里老人', '手机', '不会用', '微信', '怎么注销']);
    expect(clauses('Leaving China. How do I close WeChat Pay?', 3)).toEqual(['Leaving China', 'How do I close WeChat Pay']);
  });

  it('drops clauses shorter than the minimum, counting code points and not spaces', () => {
    expect(clauses('嗯,好的,我想注销微信', 3)).toEqual(['我想注销微信']);
    expect(clauses('a b , 𠀀𠀁𠀂 ,,, ', 3)).toEqual(['𠀀𠀁𠀂']);
    expect(clauses('', 3)).toEqual([]);
  });
});
