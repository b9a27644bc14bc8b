/** What each message gets, without HTTP: numbers, 「0」, follow, unfollow, menu keys, Traditional readers. */
import { describe, it, expect } from 'vitest';
import { createWechatConversation, menuKey, parseMenuKey, sessionKey } from '../../../src/adapters/wechat/conversation.js';
import { renderWechat, WECHAT_TEXTS } from '../../../src/adapters/wechat/render.js';
import { MemoryLastReplyStore } from '../../../src/adapters/wechat/stores.js';
import { MemorySessionStore } from '../../../src/session/store.js';
import { realEngine } from '../../helpers.js';

const engine = realEngine();
const setup = () => {
  const store = new MemorySessionStore({ ttlMs: engine.contextTtlMs });
  const lastReplies = new MemoryLastReplyStore(engine.contextTtlMs);
  const conversation = createWechatConversation({ engine, store, lastReplies, now: Date.now });
  let t = 1_714_036_504;
  const text = (Content: string) => conversation.handle({ FromUserName: 'oU', ToUserName: 'gh', MsgType: 'text', Content, CreateTime: String(++t) });
  const event = (Event: string, EventKey = '') => conversation.handle({ FromUserName: 'oU', ToUserName: 'gh', MsgType: 'event', Event, EventKey, CreateTime: String(++t) });
  return { store, lastReplies, text, event };
};

describe('menu keys', () => {
  it('round-trips topics and facets, and refuses anything else', () => {
    expect(parseMenuKey(menuKey('account.delete'))).toEqual({ topic: 'account.delete', facet: null });
    expect(parseMenuKey(menuKey('account.delete', 'duration'))).toEqual({ topic: 'account.delete', facet: 'duration' });
    for (const bad of ['', 'account.delete', 'topic:', 'facet:account.delete:nope', 'topic:a b', `topic:${'x'.repeat(101)}`]) expect(parseMenuKey(bad)).toBeNull();
  });
});

describe('createWechatConversation', () => {
  it('keeps the numbered choices of an answer, not of a clarify or fallback (the engine resolves those)', async () => {
    const { text, lastReplies } = setup();
    const answer = await text('怎么注销微信账号');
    expect(answer.kind).toBe('answer');
    const stored = await lastReplies.get('oU');
    expect(stored?.choices).toEqual(engine.respond(null, '怎么注销微信账号').reply.suggestions.map((s) => ({ topic: s.topic, facet: s.facet })));
    expect(stored?.more.length).toBe(renderWechat(engine.respond(null, '怎么注销微信账号').reply).length - 1);
    const offer = await text('今天天气怎么样');
    expect(['clarify', 'fallback']).toContain(offer.kind);
    expect((await lastReplies.get('oU'))?.choices).toEqual([]);
  });

  it('passes a number without a matching choice to the engine as text', async () => {
    const { text, store } = setup();
    await text('怎么注销微信账号');
    const before = await store.get(sessionKey('oU'));
    const out = await text('42');
    expect(out.content).toBe(renderWechat(engine.respond(before, '42').reply)[0]);
  });

  it('follow starts afresh; unfollow forgets the session and the last reply', async () => {
    const { text, event, store, lastReplies } = setup();
    await text('怎么注销微信账号');
    const welcome = await event('subscribe', 'qrscene_123');
    expect(welcome.content).toBe(renderWechat(engine.welcome())[0]);
    expect(await store.get(sessionKey('oU'))).toBeUndefined();
    await text('1');
    expect(await store.get(sessionKey('oU'))).toBeDefined();
    expect((await event('unsubscribe')).content).toBeNull();
    expect(await store.get(sessionKey('oU'))).toBeUndefined();
    expect(await lastReplies.get('oU')).toBeUndefined();
  });

  it('ignores events with nothing to say, and asks for text for media', async () => {
    const { event } = setup();
    for (const e of ['VIEW', 'SCAN', 'LOCATION', 'TEMPLATESENDJOBFINISH']) expect((await event(e)).content).toBeNull();
    expect((await event('CLICK', 'topic:no.such')).content).toBe(WECHAT_TEXTS.staleButton);
    expect((await event('CLICK', 'topic:meta.human')).kind).toBe('smalltalk');
  });

  it('writes its own lines in Traditional for a Traditional reader', async () => {
    const { text } = setup();
    const answer = await text('怎麼註銷微信帳號');
    expect(answer.content).toContain('回覆 0');
    let out = await text('0');
    while (out.kind === 'more') out = await text('0');
    expect(out.content).toBe('上一條回答已經全部發完了。直接發問題給我吧。');
  });
});
