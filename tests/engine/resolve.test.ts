import { describe, it, expect } from 'vitest';
import { compileLexicon } from '../../src/nlu/lexicon.js';
import { entityMap, entityText, fillFrame, routeFor, routeOf } from '../../src/engine/resolve.js';

const lex = compileLexicon({
  entities: [
    { type: 'platform', value: 'wechat', forms: ['微信'] },
    { type: 'platform', value: 'jd', forms: ['京东'], route: 'other.platforms' },
    { type: 'object', value: 'realname', forms: ['实名'] },
    { type: 'object', value: 'pay', forms: ['微信支付'] },
    { type: 'action', value: 'unbind', forms: ['解绑'] },
    { type: 'action', value: 'trade', forms: ['代解'], route: 'scam.warning' },
  ],
  synonyms: {},
});
const hit = (type: string, value: string, nested = false) => ({ type, value, start: 0, end: 1, ...(nested ? { nested } : {}) });

describe('resolve', () => {
  it('fills the last frame with the slots a turn names ("那微信的呢")', () => {
    const frame = { topic: 'other.platforms', facet: null, entities: { platform: 'jd', object: 'realname', action: 'unbind' } };
    expect(fillFrame(frame, [hit('platform', 'wechat')])).toEqual({ platform: 'wechat', object: 'realname', action: 'unbind' });
    expect(entityText(lex, { platform: 'wechat', object: 'realname', action: 'unbind' })).toBe('微信 实名 解绑');
  });

  it('lets a value named itself win over one named inside another form', () => {
    expect(entityMap([hit('platform', 'jd'), hit('platform', 'wechat', true)])).toEqual({ platform: 'jd' });
    expect(entityMap([hit('platform', 'wechat', true)])).toEqual({ platform: 'wechat' });
  });

  it('routes a matter of another platform, and only a matter', () => {
    expect(routeOf(lex, [hit('platform', 'jd'), hit('object', 'realname')])).toBe('other.platforms');
    expect(routeOf(lex, [hit('platform', 'jd')])).toBeNull(); // "京东今天有什么活动"
    expect(routeOf(lex, [hit('platform', 'jd'), hit('platform', 'wechat'), hit('object', 'realname')])).toBeNull();
    // 微信 inside 微信支付 stops the route; a nested routed value starts none.
    expect(routeOf(lex, [hit('platform', 'jd'), hit('object', 'pay'), hit('platform', 'wechat', true)])).toBeNull();
    expect(routeOf(lex, [hit('platform', 'jd', true), hit('object', 'realname')])).toBeNull();
    // Two types routing apart: no route.
    expect(routeOf(lex, [hit('platform', 'jd'), hit('action', 'trade')])).toBeNull();
  });

  it('counts a value named inside the form of a routed value as named with it ("卖号": selling an account)', () => {
    const at = (type: string, value: string, start: number, end: number, nested = false) => ({ type, value, start, end, ...(nested ? { nested } : {}) });
    expect(routeOf(lex, [at('action', 'trade', 0, 2), at('object', 'realname', 1, 2, true)])).toBe('scam.warning');
    // Nested elsewhere, or inside a value without a route, it names nothing.
    expect(routeOf(lex, [at('action', 'trade', 0, 2), at('object', 'realname', 3, 5, true)])).toBeNull();
    expect(routeOf(lex, [at('action', 'unbind', 0, 2), at('object', 'realname', 1, 2, true)])).toBeNull();
  });

  it('yields to a confident off-topic or topic reading', () => {
    const hits = [hit('platform', 'jd'), hit('object', 'realname')];
    const limits = { offTopicAbove: 0.4, topicAbove: 0.9 };
    expect(routeFor(lex, { topic: 'oos', score: 0.3 }, hits, limits)).toBe('other.platforms');
    expect(routeFor(lex, { topic: 'oos', score: 0.5 }, hits, limits)).toBeNull();
    expect(routeFor(lex, { topic: 'scam.warning', score: 0.95 }, hits, limits)).toBeNull();
  });
});
