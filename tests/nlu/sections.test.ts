import { describe, it, expect } from 'vitest';
import { createSectionIndex } from '../../src/nlu/sections.js';
import { features } from '../../src/nlu/features.js';

const docs = [
  { topic: 'a.remove', facet: 'conditions' as const, blocks: [{ type: 'list' as const, items: ['零钱通余额为 0', '微粒贷已还清'] }] },
  { topic: 'a.remove', facet: 'duration' as const, blocks: [{ type: 'paragraph' as const, text: '确认后即时生效' }] },
  { topic: 'b.delete', facet: 'conditions' as const, blocks: [{ type: 'paragraph' as const, text: '帐号处于安全状态' }] },
];

describe('createSectionIndex', () => {
  const index = createSectionIndex(docs, features);

  it('finds the section of the topic whose own words the question uses', () => {
    const [best] = index.rank('a.remove', features('零钱通里的钱要先转出来吗'));
    expect(best).toMatchObject({ facet: 'conditions' });
    expect(best!.overlap).toBeGreaterThan(0);
  });

  it('looks only at the given topic', () => {
    expect(index.rank('b.delete', features('零钱通')).map((h) => h.facet)).toEqual([]);
    expect(index.rank('nope', features('零钱通'))).toEqual([]);
  });

  it('blends a facet prior when one is given, without a prior the score is the text alone', () => {
    const prior = () => new Map([['duration', 1]]);
    const withPrior = createSectionIndex(docs, features, prior, { score: 0.5, explained: 0.5, unexplained: 0.5 });
    expect(withPrior.rank('a.remove', features('多久'))[0]).toMatchObject({ facet: 'duration' });
    expect(withPrior.followUpLike(features('多久'))).toBe(1);
    expect(index.followUpLike(features('多久'))).toBe(0);
  });

  it("lets the prior count more for a question the topic's own text explains little", () => {
    // The prior reads both questions as asking about conditions.
    const prior = () => new Map([['conditions', 1]]);
    const adaptive = createSectionIndex(docs, features, prior, { score: 0.1, explained: 0.1, unexplained: 0.6 }, 0.5);
    const fixed = createSectionIndex(docs, features, prior, { score: 0.1, explained: 0.1, unexplained: 0.1 }, 0.5);
    // 确认后即时生效 explains this question well: its own text decides, whatever the prior says.
    expect(adaptive.rank('a.remove', features('确认后即时生效吗'))[0]).toMatchObject({ facet: 'duration' });
    // A question that barely meets the text (only 确认 and 后): with a fixed small share that faint match
    // wins, with the share raised for what the text does not explain the prior does.
    const faint = features('确认以后呢');
    expect(fixed.rank('a.remove', faint)[0]).toMatchObject({ facet: 'duration' });
    expect(adaptive.rank('a.remove', faint)[0]).toMatchObject({ facet: 'conditions' });
  });

  it('meets a question through the follow-ups curators listed for a section, when its text shares no word', () => {
    const withExamples = createSectionIndex(
      [docs[0]!, { ...docs[1]!, examples: ['什么时候能弄好', '当天就可以吗'] }, docs[2]!],
      features,
    );
    expect(index.rank('a.remove', features('当天就能弄好吗'))).toEqual([]);
    const [best] = withExamples.rank('a.remove', features('当天就能弄好吗'));
    expect(best).toMatchObject({ facet: 'duration' });
    expect(best!.overlap).toBeGreaterThan(0.5);
    // The examples of one topic's section do not leak into another topic's.
    expect(withExamples.rank('b.delete', features('当天就能弄好吗'))).toEqual([]);
  });

  it('finds a long section by the one sentence the question meets, among short ones that share a common word', () => {
    const long = {
      topic: 't',
      facet: 'conditions' as const,
      blocks: [{ type: 'list' as const, items: ['帐号处于安全状态', '没有未完成的交易', '关闭自动扣费', '还清微粒贷', '零钱通余额为0', '没有被投诉'] }],
    };
    const short = [
      { topic: 't', facet: 'duration' as const, blocks: [{ type: 'paragraph' as const, text: '余额很快到账' }] },
      { topic: 't', facet: 'cost' as const, blocks: [{ type: 'paragraph' as const, text: '余额提现免费' }] },
    ];
    const index = createSectionIndex([long, ...short], features);
    expect(index.rank('t', features('零钱通余额要先为0吗'))[0]).toMatchObject({ facet: 'conditions' });
    expect(index.rank('t', features('提现要钱吗'))[0]).toMatchObject({ facet: 'cost' });
  });
});
