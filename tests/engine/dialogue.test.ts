import { describe, it, expect } from 'vitest';
import { realEngine, realKnowledge } from '../helpers.js';
import { fragmentLength } from '../../src/engine/engine.js';
import { initialState as newSession } from '../../src/engine/state.js';
import type { Session } from '../../src/engine/types.js';
import { renderText } from '../../src/render/text.js';

const engine = realEngine();
const T0 = 1_700_000_000_000;
const MIN = 60_000;

/** Runs turns through one conversation; returns the replies. */
function converse(...turns: string[]) {
  let session: Session | null = null;
  let now = T0;
  return turns.map((t) => {
    const r = engine.respond(session, t, (now += MIN));
    session = r.session;
    return r;
  });
}

describe('engine.respond', () => {
  it('answers a question with its topic, a summary, steps, the channels, then the sources', () => {
    const { reply } = engine.respond(null, '微信怎么解除实名认证', T0);
    expect(reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    expect(reply.confidence).toBeGreaterThan(0);
    expect(reply.blocks.slice(-2).map((b) => b.type)).toEqual(['channels', 'sources']);
    expect(reply.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(renderText(reply)).toContain('注销微信支付');
    expect(reply.sources.length).toBeGreaterThan(0);
  });

  it('applies a facet follow-up to the current topic', () => {
    const [, second] = converse('怎么注销微信账号', '要多久?');
    expect(second!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'duration' });
    expect(renderText(second!.reply)).toContain('以申请页面');
  });

  it('switches topic when the follow-up names a strong new one', () => {
    const [, second] = converse('微信实名能解除吗', '那注销账号呢?');
    expect(second!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it('does not offer facets already shown, and offers related topics', () => {
    const [first] = converse('微信怎么解除实名认证');
    const labels = first!.reply.suggestions;
    expect(labels.some((s) => s.kind === 'facet' && s.facet === 'steps')).toBe(false);
    expect(labels.some((s) => s.kind === 'topic')).toBe(true);
  });

  it('follows a suggestion exactly', () => {
    const first = engine.respond(null, '微信怎么解除实名认证', T0);
    const s = first.reply.suggestions.find((x) => x.kind === 'facet')!;
    const next = engine.respond(first.session, { topic: s.topic, facet: s.facet }, T0 + MIN);
    expect(next.reply).toMatchObject({ kind: 'followup', topic: s.topic, facet: s.facet });
  });

  it('forgets the context after the idle timeout', () => {
    const first = engine.respond(null, '怎么注销微信账号', T0);
    const late = engine.respond(first.session, '要多久?', T0 + 31 * MIN);
    expect(late.reply.kind).toBe('fallback');
    const soon = engine.respond(first.session, '要多久?', T0 + 29 * MIN);
    expect(soon.reply.kind).toBe('followup');
  });

  it('clarifies between close candidates and takes "1", "第二个" or a name', () => {
    // Build a clarify state directly: the choice mechanics do not depend on which question was close.
    const session: Session = {
      ...newSession(),
      offer: ['realname.remove', 'account.delete', 'realname.change'].map((topic) => ({ topic, facet: null })),
      lastTurnAt: T0,
    };
    expect(engine.respond(session, '1', T0 + MIN).reply.topic).toBe('realname.remove');
    expect(engine.respond(session, '第二个', T0 + MIN).reply.topic).toBe('account.delete');
    expect(engine.respond(session, '更换实名', T0 + MIN).reply.topic).toBe('realname.change');
  });

  it('offers the runners-up on "不是这个"', () => {
    const [first, second] = converse('微信实名认证在哪里', '不是这个');
    expect(first!.reply.kind).toMatch(/answer|clarify/);
    expect(second!.reply.kind).toBe('clarify');
    expect(second!.reply.suggestions.length).toBeGreaterThan(0);
    expect(second!.reply.suggestions.every((s) => s.topic !== first!.reply.topic)).toBe(true);
  });

  it('never strands a user: fallback explains, suggests topics and gives a channel', () => {
    const { reply } = engine.respond(null, '今天天气怎么样', T0);
    expect(reply).toMatchObject({ kind: 'fallback', topic: null });
    expect(reply.suggestions.length).toBeGreaterThan(0);
    expect(reply.blocks.some((b) => b.type === 'channels')).toBe(true);
  });

  it('refuses to help evade real-name, kindly, with the scam topic', () => {
    const { reply } = engine.respond(null, '帮我绕过实名', T0);
    expect(reply).toMatchObject({ kind: 'refusal', topic: 'scam.warning' });
    expect(reply.blocks.slice(-2).map((b) => b.type)).toEqual(['channels', 'sources']);
  });

  it('answers a question about what evading real-name leads to plainly, with its consequences, not as a refused request', () => {
    const { reply } = engine.respond(null, '借身份证给别人实名微信会怎样', T0);
    expect(reply).toMatchObject({ kind: 'answer', topic: 'scam.warning', facet: 'consequences' });
    expect(renderText(reply)).not.toContain('帮不了');
    expect(engine.respond(null, '怎么用别人的身份证实名', T0).reply).toMatchObject({ kind: 'refusal', topic: 'scam.warning' });
  });

  it('reads wx and vx as 微信 (lexicon synonyms)', () => {
    expect(engine.nlu.parse('vx实名怎么解除').text).toContain('微信');
    expect(engine.respond(null, 'wx号被盗了咋办', T0).reply).toMatchObject({ kind: 'answer', topic: 'account.stolen' });
  });

  it('says plainly that it is not official', () => {
    const { reply } = engine.respond(null, '你是腾讯官方的吗', T0);
    expect(reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.about' });
    expect(renderText(reply)).toMatch(/不是腾讯或微信的官方服务/);
  });

  it('says who it is when asked "are you WeChat customer service", though 客服 is also a facet word', () => {
    const { reply } = engine.respond(null, '你是不是微信的官方客服啊', T0);
    expect(reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.about' });
    expect(renderText(reply)).toMatch(/不是腾讯或微信的官方服务/);
    // A facet phrase with nothing clear beside it, or only a courtesy, still asks which matter is meant.
    expect(engine.respond(null, '在吗 要多久', T0).reply).toMatchObject({ kind: 'fallback' });
    expect(engine.respond(null, '谢谢,要多久', T0).reply).toMatchObject({ kind: 'fallback' });
    // Inside a conversation too, and the facet word alone is still the live topic's facet.
    const [, who, contact] = converse('微博号怎么注销', '你是不是微信的官方客服啊', '客服电话多少');
    expect(who!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.about' });
    expect(contact!.reply).toMatchObject({ kind: 'followup', topic: 'other.platforms', facet: 'contact' });
    const [, thanksWho] = converse('微博号怎么注销', '谢谢,找谁');
    expect(thanksWho!.reply).toMatchObject({ kind: 'followup', topic: 'other.platforms', facet: 'contact' });
  });

  it('does not ask "which of these?" when only the facet phrase\'s words make two topics close', () => {
    // 客服 and 打电话 lean to contacting support; the rest (冒充) names the scam warning clearly.
    expect(engine.respond(null, '有人冒充微信客服给我打电话', T0).reply).toMatchObject({ kind: 'answer', topic: 'scam.warning' });
  });

  it('reads a story clause by clause when the whole reads as off-topic', () => {
    // Diluted by the story, the whole reads as off-topic; the clause "想把他的微信彻底注销掉" names the matter.
    const story = '家里老人用不来智能手机了,想把他的微信彻底注销掉,里面也没钱了,需要怎么做,要他本人来吗';
    expect(engine.respond(null, story, T0).reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
    // An off-topic story stays off-topic, and a clause that is only a facet phrase ("要多久") names nothing.
    for (const other of ['上周末带孩子去公园玩,手机屏幕摔裂了,去哪里修比较便宜,要多少钱', '想学做红烧肉,网上的菜谱看不懂,要多久能学会']) {
      expect(engine.respond(null, other, T0).reply, other).toMatchObject({ kind: 'fallback' });
    }
  });

  it('warns about an ID number and still answers the question', () => {
    const { reply } = engine.respond(null, '我的身份证110101199003074514被别人拿去实名了微信怎么办', T0);
    expect(reply.blocks[0]!.type).toBe('warning');
    expect(reply.topic).toBe('realname.misuse');
    expect(JSON.stringify(reply)).not.toContain('110101199003074514');
  });

  it('answers Traditional Chinese in Traditional', () => {
    const { reply } = engine.respond(null, '微信實名認證怎麼解除', T0);
    expect(reply.topic).toBe('realname.remove');
    expect(renderText(reply)).toContain('註銷');
  });

  it('is deterministic for the same session, input and time', () => {
    expect(engine.respond(null, '注销账号要多久', T0)).toEqual(engine.respond(null, '注销账号要多久', T0));
  });

  it('does not mutate the session it is given', () => {
    const s = newSession();
    const copy = structuredClone(s);
    engine.respond(s, '怎么注销微信账号', T0);
    expect(s).toEqual(copy);
  });
});

describe('lexicon values that carry a topic', () => {
  it('reads an age under 18, in digits or in words, as a minor', () => {
    for (const q of ['我家老大十六岁 想绑自己的银行卡', 'my kid is 12, can he verify wechat']) {
      expect(engine.respond(null, q, T0).reply.topic, q).toBe('minor.account');
    }
    expect(engine.nlu.parse('女儿15岁了').entities.map((e) => `${e.type}.${e.value}`)).toContain('person.minor');
    // An adult's age is no such value.
    expect(engine.nlu.parse('我儿子今年30岁').entities.some((e) => e.type === 'person')).toBe(false);
    expect(engine.respond(null, '我儿子今年30岁 微信实名能换成他的吗', T0).reply.topic).toBe('realname.change');
  });
});

describe('topics that require a lexicon value', () => {
  it('never presumes a death: deceased accounts only for a message that names one, or while the topic is live', () => {
    const kb = realKnowledge();
    expect(kb.topics.find((t) => t.id === 'deceased.account')!.requires).toEqual(['status.deceased']);
    // Money in 零钱通 is asked about after removing real-name, by someone alive.
    const [, money] = converse('微信实名怎么解除', '零钱通里的钱要先取出来吗');
    expect(money!.reply.topic).toBe('realname.remove');
    for (const q of ['爸爸微信里的零钱怎么取出来', '家里老人的微信钱怎么拿出来']) expect(engine.respond(null, q, T0).reply.topic, q).not.toBe('deceased.account');
    // 走了, 没了 and 死了 are a death only said of a person: money taken, an account lost, "急死了" are none.
    for (const q of ['我微信里的钱被人转走了怎么办', '我的微信号没了怎么办', '钱没了能找回来吗', '急死了 微信登不上去']) {
      expect(engine.respond(null, q, T0).reply.topic, q).not.toBe('deceased.account');
    }
    // Named, in words or in English, it is the topic; and its follow-ups need not name it again.
    for (const q of ['我爸去世了 他微信零钱怎么取', '外婆走了,她的微信怎么办', '我妈前年没了 她微信里的钱怎么办', 'my father passed away, how do we get the money in his wechat']) {
      expect(engine.respond(null, q, T0).reply.topic, q).toBe('deceased.account');
    }
    const [, materials, balance] = converse('我爸去世了 他的微信怎么办', '要带什么材料', '零钱能取出来吗');
    expect(materials!.reply).toMatchObject({ kind: 'followup', topic: 'deceased.account', facet: 'materials' });
    expect(balance!.reply).toMatchObject({ kind: 'followup', topic: 'deceased.account' });
  });
});

describe('first questions that name what the bot is about', () => {
  it('gives a question naming an inScope value that reads off-topic by a hair a topic, not the fallback', async () => {
    const { createEngine } = await import('../../src/engine/engine.js');
    const kb = realKnowledge();
    expect(kb.lexicon.entities.filter((e) => e.inScope).map((e) => e.value)).toEqual(expect.arrayContaining(['realname', 'idcard']));
    const unmarked = createEngine({ ...kb, lexicon: { ...kb.lexicon, entities: kb.lexicon.entities.map(({ inScope: _, ...e }) => e) } });
    // 「我的证件一直弹窗」 (the ID document keeps popping up) leans off-topic by less than the margin.
    const text = '我的证件一直弹窗';
    expect(unmarked.respond(null, text, T0).reply.kind).toBe('fallback');
    const reply = engine.respond(null, text, T0).reply;
    expect(['answer', 'clarify']).toContain(reply.kind);
    expect(reply.topic).toBe('realname.change');
    // Plainly off-topic questions that name 红包 or 身份证 still fall back.
    for (const q of ['微信红包怎么发', '身份证丢了去哪补办', '微信支付分怎么提高']) expect(engine.respond(null, q, T0).reply.kind, q).toBe('fallback');
  });
});

describe('follow-ups in a conversation', () => {
  it('reads an elliptical turn against the last frame: 京东 -> "那微信的呢" keeps the action', () => {
    const [first, second] = converse('京东的实名怎么解绑', '那微信的呢');
    expect(first!.reply).toMatchObject({ kind: 'answer', topic: 'other.platforms' });
    expect(first!.session.frame?.entities).toMatchObject({ platform: 'jd', object: 'realname' });
    expect(second!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
  });

  it('does not read the linking word 换成 as the new action: 抖音 -> "那换成微信呢" keeps "remove"', () => {
    const [, second] = converse('抖音的实名怎么解除', '那换成微信呢');
    expect(second!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
  });

  it('takes the route of 卖号 (selling an account) mid-conversation, whatever 这个 points at', () => {
    const [, selling] = converse('微信实名怎么解除', '卖号犯法吗 我表弟好像在干这个');
    expect(selling!.reply).toMatchObject({ kind: 'answer', topic: 'scam.warning' });
  });

  it('does not take the thing a question\'s verb acts on for a facet ("change my phone number")', () => {
    const { reply } = engine.respond(null, 'how do I change my phone number on wechat', T0);
    expect(reply).toMatchObject({ kind: 'answer', topic: 'phone.change', facet: null });
    // Asked alone, after a topic, it is the contact facet.
    const [, number] = converse('微信客服怎么联系', 'phone number?');
    expect(number!.reply).toMatchObject({ topic: 'support.contact', facet: 'contact' });
  });

  it('does not take a question\'s own verb for a facet ("…怎么撤销" names its object)', () => {
    const { reply } = engine.respond(null, '微信的身份绑定怎么撤销', T0);
    expect(reply).toMatchObject({ kind: 'answer', topic: 'realname.remove', facet: null });
    const [, undo] = converse('注销微信账号', '能撤销吗');
    expect(undo!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'undo' });
    // With a verb of its own outside the phrase, the phrase asks its facet: undoing the removal.
    const [, again] = converse('微信实名怎么解除', '实名解除了能撤销吗');
    expect(again!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'undo' });
  });

  it('takes a correction, pushing the rejected topic down', () => {
    const [, second] = converse('微信实名怎么解除', '不对,我是说想换成我爸的身份证');
    expect(second!.reply).toMatchObject({ kind: 'answer', topic: 'realname.change' });
  });

  it('reads the linking verb of a correction (换成, 改成) as the new action, even when the account is named after it', () => {
    for (const correction of ['不对不对,是想换成我女朋友的,号是她用的', '我搞错了,不是去掉,是改成我爸的,这个号他在用']) {
      const [, second] = converse('微信实名怎么去掉', correction);
      expect(second!.reply, correction).toMatchObject({ kind: 'answer', topic: 'realname.change' });
      expect(second!.session.frame?.entities, correction).toMatchObject({ action: 'change' });
    }
  });

  it('reads a correction after a detail question as another section of the same topic, unless it names another topic', () => {
    const [, , detail] = converse('注销微信账号', '要花钱吗', '不对,我是想问注销完朋友圈还在不在');
    expect(detail!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'consequences' });
    // "不是X 是Y": X a detail of the section just shown, Y asked of that section in its place.
    const [, , loan] = converse('注销微信号要满足什么条件', '我还有一笔微粒贷没还', '不是微粒贷 是分付');
    expect(loan!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'conditions' });
    const [, , other] = converse('微信实名怎么解除', '要花钱吗', '不对,我是想问换成我妈的身份证');
    expect(other!.reply).toMatchObject({ kind: 'answer', topic: 'realname.change' });
  });

  it('switches to a topic named as a first question would be when it reads better as a follow-up of its own', () => {
    // 0.37 and 0.46: below the 0.5 a switch needs inside a conversation, but the live topic's best
    // section reads worse than the other topic's.
    const [, kept] = converse('我的身份证被别人拿去实名了微信', '身份信息腾讯会留多久');
    expect(kept!.reply).toMatchObject({ kind: 'answer', topic: 'privacy.data' });
    const [, verify] = converse('为什么微信要实名', '行那我现在去实名要绑卡吗');
    expect(verify!.reply).toMatchObject({ kind: 'answer', topic: 'realname.verify' });
    // A turn that points back at the live topic stays on it ("这个要收钱吗").
    const [, , cost] = converse('微信实名怎么解除', '我余额里还有几百块要先提现吗', '这个要收钱吗');
    expect(cost!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'cost' });
  });

  it('reads an elliptical turn that restates action and object as a swap of the frame, one naming an object alone as a possible detail', () => {
    // account.delete's sections say to close pay first, so 注销支付 is among their words: the swap wins.
    const [, pay] = converse('注销微信号', '那只注销支付呢');
    expect(pay!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    const [, whole] = converse('微信实名怎么解除', '那把整个微信号注销掉呢');
    expect(whole!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
    // Only an object: a detail of the live topic when its sections explain it.
    const [, bills] = converse('微信实名怎么解除', '那账单呢');
    expect(bills!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove' });
  });

  it('keeps a corrected facet on the topic', () => {
    const [, , third] = converse('微信实名怎么解除', '要多久', '不是,我是问要满足什么条件');
    expect(third!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'conditions' });
  });

  it('reads a generic facet word beside a detail as the section the detail is about, and a plain facet question as its facet', () => {
    // 会怎么样 reads as consequences, but logging in during the cooling-off period is how a deletion is undone.
    const [, detail] = converse('注销微信号', '冷静期中途登录一下会怎么样');
    expect(detail!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'undo' });
    const [, plain] = converse('注销微信号', '注销完了聊天记录会怎么样');
    expect(plain!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'consequences' });
    // Words beside the facet phrase that read as two sections alike are no detail: 客服电话 asks the contact.
    const [, contact] = converse('注销微信号要收费吗', '要不要打客服电话申请');
    expect(contact!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'contact' });
  });

  it('answers a detail question from a section of the live topic, without a facet word', () => {
    const [, second] = converse('微信怎么解除实名认证', '零钱通里还剩钱怎么办');
    expect(second!.reply.kind).toBe('followup');
    expect(second!.reply.topic).toBe('realname.remove');
    expect(second!.reply.facet).not.toBeNull();
  });

  it('asks which part of the live topic a weak message means, with its sections as buttons and a way out', () => {
    const [, second] = converse('注销微信账号', '呃');
    expect(second!.reply).toMatchObject({ kind: 'clarify', topic: 'account.delete' });
    expect(second!.reply.suggestions.filter((s) => s.kind === 'facet').length).toBeGreaterThan(2);
    expect(second!.reply.suggestions.some((s) => s.topic === 'meta.help')).toBe(true);
    // The topic stays live: a facet word after it still applies.
    const third = engine.respond(second!.session, '要多久', T0 + 5 * MIN);
    expect(third.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'duration' });
    // Courtesies alone ask nothing yet; an acknowledgement is answered like thanks.
    for (const bare of ['问一下', '我想问一下', '帮帮我', '请问']) {
      expect(converse('注销微信账号', bare)[1]!.reply, bare).toMatchObject({ kind: 'clarify', topic: 'account.delete' });
    }
    // Thanks and goodbyes in any of the ways people type them, English and Cantonese too.
    for (const ack of ['好的', '知道了', '嗯嗯', 'got it', 'thank you so much', 'many thanks', 'cheers', 'bye', '拜拜', '唔该']) {
      expect(converse('注销微信账号', ack)[1]!.reply, ack).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
    }
    // Thanks around a remark that asks nothing and names nothing: the thanks is what is said.
    for (const closing of ['谢谢 我明天就去办', '好的谢谢 我回去试试', "thanks, I'll try that tomorrow"]) {
      expect(converse('我身份证被人拿去实名了微信', closing)[1]!.reply, closing).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
    }
    // ... but not a remark that asks something or names something the bot knows.
    expect(converse('我身份证被人拿去实名了微信', '谢谢 我老公的身份证可以吗')[1]!.reply.kind).not.toBe('smalltalk');
    expect(converse('我身份证被人拿去实名了微信', '谢谢 那要多久')[1]!.reply.kind).not.toBe('smalltalk');
  });

  it('says so when the live topic has nothing on the facet asked, then asks which part', () => {
    const kb = realKnowledge();
    const verify = kb.topics.find((t) => t.id === 'realname.verify')!;
    expect(verify.content.sections.has('duration')).toBe(false);
    const [, second] = converse('我想开通微信支付', '那要多久');
    expect(second!.reply).toMatchObject({ kind: 'clarify', topic: 'realname.verify' });
    const said = second!.reply.blocks.map((b) => ('text' in b ? b.text : '')).join('');
    expect(said).toContain(verify.name);
    expect(said).toContain(kb.facets.find((f) => f.id === 'duration')!.name);
    // A weak message without a facet gets the plain question.
    const [, plain] = converse('我想开通微信支付', '呃');
    expect(plain!.reply.blocks.map((b) => ('text' in b ? b.text : '')).join('')).not.toContain(kb.facets.find((f) => f.id === 'duration')!.name);
  });

  it('falls back inside a conversation on a weakly off-topic message that no topic and no section reaches', () => {
    // Off-topic scores under 0.4 here; before, the bot asked which part of 解绑银行卡 was meant.
    for (const q of ['高铁上能带榴莲吗', '肚子疼吃什么药', '羽毛球拍哪个牌子好']) {
      const [, turn] = converse('解绑银行卡', q);
      expect(turn!.reply.kind, q).toBe('fallback');
      expect(turn!.session.frame?.topic, q).toBe('bankcard.unbind');
    }
    // Its buttons lead with the live topic's sections, and a typed number picks among them.
    const [, unplaced, picked] = converse('解绑银行卡', '高铁上能带榴莲吗', '1');
    const first = unplaced!.reply.suggestions[0]!;
    expect(first).toMatchObject({ kind: 'facet', topic: 'bankcard.unbind' });
    expect(unplaced!.reply.suggestions.filter((s) => s.topic === 'bankcard.unbind' && s.kind === 'topic')).toEqual([]);
    expect(picked!.reply).toMatchObject({ kind: 'followup', topic: 'bankcard.unbind', facet: first.facet });
    // A first question that falls back offers topics only.
    expect(engine.respond(null, '高铁上能带榴莲吗', T0).reply.suggestions.every((s) => s.kind === 'topic')).toBe(true);
    // A weak follow-up is still one ("收藏的东西还找得回来吗" after 注销账号).
    const [, kept] = converse('注销微信账号', '收藏的东西还找得回来吗');
    expect(kept!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete' });
  });

  it('never falls back on a turn naming something a section of the live topic is about ("零钱" after a blocked account)', () => {
    const [, balance, weather] = converse('微信号被限制登录了', '还有一千多零钱 怎么拿出来', '明天天气怎么样');
    expect(balance!.reply).toMatchObject({ kind: 'followup', topic: 'account.stolen' });
    expect(weather!.reply).toMatchObject({ kind: 'fallback' });
  });

  it('falls back on an off-topic turn that names another platform, never giving it a section of the WeChat topic', () => {
    const [, refund, douyin] = converse('注销微信号', '美团的外卖怎么退款', '抖音号注销要多久');
    expect(refund!.reply).toMatchObject({ kind: 'fallback' });
    // Another platform's matter is still other.platforms.
    expect(douyin!.reply).toMatchObject({ topic: 'other.platforms' });
  });

  it('still falls back on a plainly off-topic message', () => {
    const [, second] = converse('注销微信账号', '今天天气怎么样');
    expect(second!.reply.kind).toBe('fallback');
  });

  it('reads no off-topic question that ends in 呢 as an elliptical turn of the frame', () => {
    for (const [first, asked] of [
      ['注销微信账号', '晚上吃啥好呢'],
      ['我的身份证被人冒用注册微信了', '中午吃点啥呢'],
      ['把身份证给微信实名安全吗', '晚上看啥电影好呢'],
    ] as const) {
      const [, off] = converse(first, asked);
      expect(off!.reply.kind, asked).toBe('fallback');
    }
    // A linking word keeps the fragment on the frame, however off-topic it reads alone.
    const [, out] = converse('微信實名可以取消嗎', '那登出呢');
    expect(out!.reply).toMatchObject({ topic: 'realname.remove' });
  });

  it('carries the facet asked before to the topic an elliptical turn switches to, where it has one', () => {
    const [first, second] = converse('解除实名要多久', '那注销账号呢');
    expect(first!.reply).toMatchObject({ topic: 'realname.remove', facet: 'duration' });
    expect(second!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete', facet: 'duration' });
    // So is a facet the bot found from a detail question: "must the money go out first?", then
    // "and for deleting the account?" asks the conditions again.
    const [, detail, third] = converse('微信实名怎么解除', '理财通里的钱要先转出来吗', '那注销账号呢');
    expect(detail!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'conditions' });
    expect(third!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete', facet: 'conditions' });
    // A facet the new topic has no section for is not carried.
    const [, other] = converse('解除实名要多久', '那支付宝的呢');
    expect(other!.reply).toMatchObject({ kind: 'answer', topic: 'other.platforms', facet: null });
  });

  it('takes no turn that names a thing and no action to a topic whose matter is an action', () => {
    // Unbinding a card is an action: a child with no bank card of his own is the child's account's matter.
    const [, card] = converse('孩子12岁能开通微信支付吗', '他自己没银行卡的');
    expect(card!.reply).toMatchObject({ kind: 'followup', topic: 'minor.account' });
    // Naming the action still switches.
    const [, , unbind] = converse('孩子12岁能开通微信支付吗', '他自己没银行卡的', '我的银行卡怎么解绑');
    expect(unbind!.reply).toMatchObject({ kind: 'answer', topic: 'bankcard.unbind' });
  });

  it('takes no elliptical fragment that names a thing and no action to a topic whose matter is an action', () => {
    // "And the bank card, can it be mine?" about a child's WeChat Pay asks whose card, not how to unbind one.
    const [, card] = converse('孩子15岁能开微信支付吗', '那银行卡呢 可以绑我的吗');
    expect(card!.reply).toMatchObject({ kind: 'followup', topic: 'minor.account' });
    const [, wife] = converse('微信实名认证可以用别人的银行卡吗', '那用我老婆的呢');
    expect(wife!.reply).toMatchObject({ kind: 'followup', topic: 'realname.verify' });
  });

  it('takes no such turn there when that topic leads only without the live topic\'s favour', () => {
    // "no Chinese bank card" reads as unbinding one more than as verifying, but unbinds nothing.
    const [, card] = converse('how do foreigners get verified on wechat', 'i have no chinese bank card, just my passport');
    expect(card!.reply).toMatchObject({ kind: 'followup', topic: 'realname.verify' });
  });

  it("keeps to the live topic on the frame's own action only where that action is the topic's matter", () => {
    // A ban is what the rumour is about, not an action of the rules' future: how to lift one is the banned account's question.
    for (const asked of ['那真被封了咋解', '要是真封了咋整']) {
      const [, lift] = converse('网上说明年开始不实名就封号', asked);
      expect(lift!.reply).toMatchObject({ kind: 'answer', topic: 'account.stolen' });
    }
    // Reached by a route (QQ), the frame's action is the platform's: deleting QQ stays on other platforms.
    const [, , qq] = converse('微信号怎么注销', '那QQ呢 也能注销吗', 'QQ注销要满足什么条件');
    expect(qq!.reply).toMatchObject({ kind: 'followup', topic: 'other.platforms' });
  });

  it('switches to the topic whose required value a turn names first (a death), though it reads weakly', () => {
    const [, , late] = converse('我想剷咗呢個微信號', '入面啲錢點算', '阿爸上個月過咗身 佢個微信又點算');
    expect(late!.reply).toMatchObject({ kind: 'answer', topic: 'deceased.account' });
    // Once the frame holds the death, the same value keeps no new switch: the live topic stays.
    const [, again] = converse('我爸去世了 他微信里的钱怎么取出来', '他去世前欠着微粒贷 还要还吗');
    expect(again!.reply.topic).toBe('deceased.account');
  });

  it('keeps a turn about a thing or person the conversation named on the live topic, not one about the user\'s own', () => {
    const [, , id] = converse('我爸的微信我想帮他注销', '他本人不在身边', '需要他的身份证吗');
    expect(id!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete' });
    const [, far] = converse('我想把我的实名换成我老公的', '他的身份证在外地');
    expect(far!.reply).toMatchObject({ kind: 'followup', topic: 'realname.change' });
    // 我自己这个号 is the user's own account: another matter.
    const [, own] = converse('怎么查我身份证名下有几个微信', '那我自己这个号想注销 要满足什么条件');
    expect(own!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it('reads a correction of a detail, not of the topic, as a follow-up of the same topic', () => {
    // The corrected part reads as the live topic first and asks no new action: the condition was misread.
    const [, phone] = converse('没有银行卡能实名吗', '不对 我是说没有手机号 能实名吗');
    expect(phone!.reply).toMatchObject({ kind: 'followup', topic: 'realname.verify', facet: 'conditions' });
    const [, age] = converse('孩子12岁能注册微信吗', '不对 是14岁 能自己实名吗');
    expect(age!.reply).toMatchObject({ kind: 'followup', topic: 'minor.account' });
    // Read alone the corrected part may lean off-topic; the live topic is still its best topic.
    const [, sold] = converse('有人出高价收微信号 能卖吗', '不是 其实我上个月已经卖了一个 现在怎么办');
    expect(sold!.reply).toMatchObject({ kind: 'followup', topic: 'scam.warning' });
    const [, consent] = converse('我微信实名是我表哥的 想改成我自己', '不是 我意思是表哥不同意的话能直接改吗');
    expect(consent!.reply).toMatchObject({ kind: 'followup', topic: 'realname.change' });
    // A correction about a thing the conversation named stays on its topic too.
    const [, , that] = converse('我妈的身份证被亲戚借去实名了微信', '这事要找谁处理', '不对 我是说那个号能不能直接注销');
    expect(that!.reply).toMatchObject({ kind: 'followup', topic: 'realname.misuse' });
    // A new action the live topic also covers, named strongly: still that topic.
    const [, stolen] = converse('微信号被封了怎么办', '不是封了 是被盗了');
    expect(stolen!.reply).toMatchObject({ kind: 'followup', topic: 'account.stolen' });
    // A new action of another topic is no detail: the rejected topic is pushed down.
    const [, deleting] = converse('微信号被盗了怎么办', '我说错了,没被盗,是我自己想把号注销');
    expect(deleting!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
    // In English: "wait no", "nope".
    for (const correction of ['wait no, only close WeChat Pay, not the account', 'nope, I meant closing WeChat Pay only']) {
      expect(converse('how can I delete my wechat', correction)[1]!.reply, correction).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    }
  });

  it('keeps the live topic when a correction says another topic was not meant ("not the whole account, just the payment part")', () => {
    const [, , pay] = converse('how can i take my ID off wechat pay before i leave china', 'do i have to empty my balance first', "no, i mean i don't want to delete the whole account, just the payment part");
    expect(pay!.reply.topic).toBe('realname.remove');
    // After a question about deleting the account, the same words correct it: closing WeChat Pay.
    const [, close] = converse('how do i delete my wechat account', "no i don't want to delete my account, only close wechat pay");
    expect(close!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
  });

  it('reads a correction too weak to stand alone against the frame, and never answers the rejected topic again', () => {
    const [, weak] = converse('微信实名怎么解除', '我说错了,是想换成我爸的');
    expect(weak!.reply).toMatchObject({ kind: 'answer', topic: 'realname.change' });
    const [, unclear] = converse('微信实名怎么解除', '不是,我是想给我妈弄');
    expect(unclear!.reply.topic).not.toBe('realname.remove');
    expect(unclear!.reply.kind).toBe('clarify');
    expect(unclear!.reply.suggestions.length).toBeGreaterThan(0);
    expect(unclear!.reply.suggestions.map((s) => s.topic)).not.toContain('realname.remove');
  });

  it('reads a facet word the live topic has no section for as a detail question, never as a missing facet', () => {
    const kb = realKnowledge();
    const lacking = kb.topics.find((t) => !t.content.sections.has('duration'))!;
    expect(lacking).toBeDefined();
    const first = engine.respond(null, { topic: lacking.id, facet: null }, T0);
    const second = engine.respond(first.session, '要多久', T0 + MIN);
    expect(second.reply.topic).toBe(lacking.id);
    expect(second.reply.facet).not.toBe('duration');
  });

  it('falls back when a facet phrase comes with a plainly off-topic matter', () => {
    const [, second, third] = converse('注销微信账号', '红烧肉怎么做比较好吃', '要多久');
    expect(second!.reply.kind).toBe('fallback');
    // The topic is not forgotten by the fallback: a facet word still applies to it.
    expect(third!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'duration' });
    // Short off-topic matters too, and ones made of words it never saw ("鱼香肉丝": reads like no follow-up).
    for (const dish of ['红烧肉怎么做', '鱼香肉丝怎么做']) {
      expect(converse('微信实名怎么解除', dish)[1]!.reply, dish).toMatchObject({ kind: 'fallback' });
    }
    // ... while a short rest that is a matter of the topic, or no matter at all, keeps the facet.
    expect(converse('微信实名怎么解除', '理财通怎么弄')[1]!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'steps' });
    expect(converse('注销微信账号', '现在要找谁')[1]!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'contact' });
    // A pronoun stands for the live topic's matter: little beside it is no off-topic rest.
    expect(converse('实名想从我老公换成我自己', '这事要找谁处理')[1]!.reply).toMatchObject({ kind: 'followup', topic: 'realname.change', facet: 'contact' });
  });

  it('answers the topic two unplaced messages in a row both lean to, and keeps only its id', () => {
    // (「手机里的威信删了又下回来,还是显示已实名」 stood first here; since the story-style lines it is answered.)
    const [first, second] = converse('重新下载了还是显示已认证', '到底咋弄才能真去掉');
    expect(first!.reply.kind).toBe('fallback');
    expect(first!.session.lean).toBe('realname.remove');
    expect(second!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    expect(second!.session.lean).toBeUndefined();
    // One unplaced message and then a plainly off-topic one: no answer is made up.
    const [, offTopic] = converse('重新下载了还是显示已认证', '今天天气怎么样');
    expect(offTopic!.reply.kind).toBe('fallback');
  });

  it('reads a short English fragment as elliptical, measuring a Latin word as two characters', () => {
    const [, second] = converse('支付宝实名怎么解除', 'and what about wechat');
    expect(second!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    expect(fragmentLength('那微信支付呢')).toBe(6);
    expect(fragmentLength('what about wechat pay')).toBe(8);
    expect(fragmentLength('那wechat呢')).toBe(4);
  });

  it('keeps a fragment on the live topic when its sections explain it as fully as another topic\'s, and read better', () => {
    // 零钱 is as much in deceased accounts' text as in deleting an account's: no condolences here.
    const [, balance] = converse('注销微信号要多久', '那零钱呢');
    expect(balance!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete' });
  });

  it('after "which of these?", reads a question about a part of one of them as that part, not as a new question', () => {
    const [which, money] = converse('微信实名的事', '零钱要先提出来吗');
    expect(which!.reply.kind).toBe('clarify');
    const offered = which!.reply.suggestions.map((s) => s.topic);
    expect(money!.reply).toMatchObject({ kind: 'followup' });
    expect(offered).toContain(money!.reply.topic);
    // A fallback's list of topics to try is no such question: a facet phrase after it names nothing.
    const [, materials] = converse('红烧肉怎么做', '要准备什么材料');
    expect(materials!.reply).toMatchObject({ kind: 'fallback' });
  });

  it('answers the topic again when its question is asked again in other words, and a detail as a detail', () => {
    const [, again, pinyin, detail] = converse('微信怎么解除实名认证', '微信实名到底怎么解除', 'weixin shiming zenme jiechu', '解除实名以后还能收红包吗');
    expect(again!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove', facet: null });
    expect(pinyin!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove', facet: null });
    expect(detail!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'consequences' });
  });

  it('reads an elliptical turn that is only a facet phrase as that facet of the live topic ("那客服电话呢")', () => {
    const [, second] = converse('微信号被盗了', '那客服电话呢');
    expect(second!.reply).toMatchObject({ kind: 'followup', topic: 'account.stolen', facet: 'contact' });
  });

  it('keeps an elliptical turn on the live topic when it reads as one of its follow-ups ("那账单呢" after 解除实名)', () => {
    const [, bills] = converse('微信实名怎么解除', '那账单呢');
    expect(bills!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove' });
    // Naming another topic's matter still switches.
    const [, other] = converse('微信实名怎么解除', '那注销账号呢');
    expect(other!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it('lets weak small talk yield to a section of the live topic that answers the turn ("哈喽 收藏还在吗")', () => {
    const [, second] = converse('注销微信账号', '哈喽 收藏还在吗');
    expect(second!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'consequences' });
    // Small talk alone stays small talk.
    const [, thanks] = converse('注销微信账号', '好的谢谢');
    expect(thanks!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
    // A turn that reads much like a follow-up gets the best section, though its words touch 需要帮助.
    const [, need, able] = converse('我想开通微信支付', '需要什么', '你能做什么');
    expect(need!.reply).toMatchObject({ kind: 'followup', topic: 'realname.verify', facet: 'materials' });
    expect(able!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.help' });
  });

  it('reads a pronoun with a named thing or a facet as pointing back at the topic, not as small talk about the bot', () => {
    // "这个怎么用" asks how to use the bot; "这个要怎么查" asks how to look up what was just said.
    const [, query, use, bot] = converse('我的ID card被人拿去注册微信支付了', '这个要怎么查', '这个怎么用', '你是微信客服吗');
    expect(query!.reply).toMatchObject({ kind: 'followup', topic: 'realname.misuse', facet: 'steps' });
    expect(use!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.help' });
    expect(bot!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.about' });
  });

  it('reads a question after a courtesy ("谢谢,", "你好 ") as the question, and courtesies alone as small talk', () => {
    expect(engine.respond(null, '谢谢,怎么注销微信号', T0).reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
    expect(engine.respond(null, '你好 我的身份证被别人拿去实名了微信', T0).reply).toMatchObject({ kind: 'answer', topic: 'realname.misuse' });
    const [, second, third] = converse('注销微信账号', '谢谢,收藏的东西还找得回来吗', '好的谢谢');
    expect(second!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'consequences' });
    expect(third!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
    // Courtesies alone: the whole is ranked, not the empty rest. (The held-out "hey, anybody here?"
    // used to stand here; since the keyed training order it reads as off-topic, 0.19 against 0.14,
    // and it counts as a miss in the held-out figures rather than being trained on.)
    for (const greeting of ['嗨,请问有人在吗', 'hello, anyone around?']) {
      expect(engine.respond(null, greeting, T0).reply, greeting).toMatchObject({ kind: 'smalltalk', topic: 'meta.greeting' });
    }
    // A facet word among the courtesies asks nothing ("客服你好": 客服 is no "who to contact").
    expect(engine.respond(null, '客服你好,初中生想开通微信零钱要什么', T0).reply).toMatchObject({ kind: 'answer', topic: 'minor.account' });
    // ... nor names an entity the next turn would carry over.
    const [stolen] = converse('客服你好,vx号被盗了怎么办?谢谢');
    expect(stolen!.reply).toMatchObject({ kind: 'answer', topic: 'account.stolen' });
    expect(stolen!.session.frame?.entities).not.toHaveProperty('object', 'service');
    // ... and after it ("…?谢谢了", "… thanks").
    expect(engine.respond(null, '我的微信号被盗了怎么办?谢谢了', T0).reply).toMatchObject({ kind: 'answer', topic: 'account.stolen' });
    const [, ne] = converse('京东的实名怎么解绑', '谢谢,那微信的呢');
    expect(ne!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    const [, pay] = converse('注销微信号', '好的,那只注销支付呢');
    expect(pay!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    // A choice after a courtesy is still a choice, and small talk after one is small talk.
    const offered: Session = { ...newSession(), offer: ['realname.remove', 'account.delete'].map((topic) => ({ topic, facet: null })), lastTurnAt: T0 };
    expect(engine.respond(offered, '谢谢,2', T0 + MIN).reply.topic).toBe('account.delete');
    expect(engine.respond(offered, '好的 第一个', T0 + MIN).reply.topic).toBe('realname.remove');
    const [, human] = converse('注销微信号', '谢谢,我要找人工');
    expect(human!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.human' });
  });

  it('switches on no question words alone: a turn that names no thing stays on a section that answers it', () => {
    // 要不要 leans to the rules' future; after a stolen account, whether to call the police is its contact.
    const [, , police] = converse('我的微信被人盗了', '怎么拿回来', '要不要报警');
    expect(police!.reply).toMatchObject({ kind: 'followup', topic: 'account.stolen', facet: 'contact' });
    // "文件" asks for the materials.
    const [, papers] = converse('我爸爸去世了 他微信有钱', '要什么文件');
    expect(papers!.reply).toMatchObject({ kind: 'followup', topic: 'deceased.account', facet: 'materials' });
  });

  it('answers the live topic again for a fragment that names it clearly and that no section answers', () => {
    const [, , again] = converse('我想注销微信号', '注销后零钱怎么办', '那整个微信号怎么删');
    expect(again!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it("keeps a turn on the live topic that names the frame's own action and things the topic's text talks about", () => {
    // 注销 + 零钱 reads as deleting the account; after 微信支付怎么注销 it asks about the balance when closing Pay.
    const [, balance] = converse('微信支付怎么注销', '注销后零钱怎么办');
    expect(balance!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove' });
    // A new action still switches.
    const [, account] = converse('微信支付怎么注销', '那整个微信号怎么删');
    expect(account!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it('reads courtesies after a linking 那 as courtesies, not as an elliptical question', () => {
    const [, thanks] = converse('微信实名怎么解除', '那谢谢啦');
    expect(thanks!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
    const [, done] = converse('微信实名怎么解除', '那就这样吧');
    expect(done!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
    const [, more] = converse('微信实名怎么解除', '那微信号注销呢');
    expect(more!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it('answers the same question again when it comes with courtesies or a form of address', () => {
    const [, again] = converse('微信实名怎么解除', '你好 微信实名怎么解除');
    expect(again!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    const [, other] = converse('微信实名怎么解除', '帅哥 注销微信要多久');
    expect(other!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete', facet: 'duration' });
    const [, thanks] = converse('微信实名怎么解除', '谢谢你啊小同志');
    expect(thanks!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
  });

  it('reads the platform the bot is about, named alone, as asking nothing (with courtesies: their small talk)', () => {
    // "wechat" alone read as a stolen account (English lines about hacked accounts name it often).
    expect(engine.respond(null, 'wechat', T0).reply.kind).toBe('fallback');
    expect(engine.respond(null, '微信?', T0).reply.kind).toBe('fallback');
    expect(engine.respond(null, 'hi wechat', T0).reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.greeting' });
    expect(engine.respond(null, 'thanks wechat', T0).reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
    // Anything asked of it is a question as before.
    expect(engine.respond(null, 'wechat pay', T0).reply.kind).toBe('answer');
    expect(engine.respond(null, 'QQ', T0).reply).toMatchObject({ kind: 'answer', topic: 'other.platforms' });
  });

  it('switches to a topic the turn alone names strongly with a new action, however close the live topic is brought', () => {
    const [, close] = converse('我的微信号被封了', '被封的号可以注销吗');
    expect(close!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
    // The live topic's own action asked again stays on it.
    const [, unblock] = converse('我的微信号被封了', '能解封吗');
    expect(unblock!.reply).toMatchObject({ kind: 'followup', topic: 'account.stolen' });
  });

  it('never calls a turn that points back unrelated: weak off-topic reading asks which part instead of falling back', () => {
    // 她 is the wife named just before; nothing reads off-topic clearly.
    const [, present] = converse('微信实名能换成我老婆的吗', '要她本人在场吗');
    expect(present!.reply).toMatchObject({ kind: 'clarify', topic: 'realname.change' });
    // Clearly off-topic turns still fall back, pronoun or not.
    const [, gift] = converse('微信实名怎么解除', '他生日送什么礼物好');
    expect(gift!.reply.kind).toBe('fallback');
  });

  it('asks the last facet again of the value an elliptical turn puts in the frame, when no section answers the turn itself', () => {
    const [, penalty, lend] = converse('有人想花钱租我的微信号', '被发现会怎么处罚', '那借给亲戚用呢');
    expect(penalty!.reply).toMatchObject({ kind: 'followup', topic: 'scam.warning', facet: 'consequences' });
    expect(lend!.reply).toMatchObject({ kind: 'followup', topic: 'scam.warning', facet: 'consequences' });
    // A section that answers the turn itself still wins (零钱通 is in the conditions of closing WeChat Pay).
    const [, , , wallet] = converse('微信实名怎么解除', '我不想注销整个号', '那就只能注销支付吗', '注销支付后零钱通的钱呢');
    expect(wallet!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'conditions' });
  });

  it('answers the topic the last clause of a story asks for clearly, where the whole reads close to two', () => {
    // The background (a new number) reads like changing the phone number; the request is to delete the old account.
    expect(engine.respond(null, '我叔叔换了号码,旧微信里没钱了,我想帮他注销旧微信', T0).reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it('reads small talk that names what its own lines never do, not to the bot, as a question of the matter', () => {
    // 人工 alone asks this bot for a person; WeChat Pay's own human service is support.contact.
    expect(engine.respond(null, '微信支付有人工吗', T0).reply).toMatchObject({ kind: 'answer', topic: 'support.contact' });
    expect(engine.respond(null, '找微信支付的人工', T0).reply).toMatchObject({ kind: 'answer', topic: 'support.contact' });
    expect(engine.respond(null, '转人工', T0).reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.human' });
    expect(engine.respond(null, '我要人工', T0).reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.human' });
    // Spoken to the bot, naming WeChat is still small talk.
    expect(engine.respond(null, '你是微信官方的吗', T0).reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.about' });
  });

  it('gives the live topic no favour after a shift word ("另外", "顺便问一下"), which is not read as content', () => {
    const [, second] = converse('注销微信账号要多久', '另外,我身份证好像被别人拿去实名了怎么办');
    expect(second!.reply).toMatchObject({ kind: 'answer', topic: 'realname.misuse' });
    const p = engine.nlu.parse('顺便问一下注销要多久');
    expect(p.cues).toMatchObject({ shift: true, lead: '顺便问一下' });
    // 说到这个, 话说回来, 我还想问 turn to a new matter too (这个 there is no pronoun for the live topic).
    for (const shift of ['话说回来 我这号实名是我表哥的 可以改成我的吗', '说到这儿 我这个号实名是表哥的 能换成我吗']) {
      expect(converse('有人想租我的微信号 能租吗', shift)[1]!.reply, shift).toMatchObject({ kind: 'answer', topic: 'realname.change' });
    }
    expect(engine.nlu.parse('我还想问一下 注销要多久').cues).toMatchObject({ shift: true, lead: '我还想问一下' });
  });

  it('after a shift word, reads a facet word that is part of the new matter with it ("冒充客服")', () => {
    const [, shifted] = converse('注销微信号', '对了 怎么识别冒充客服的人');
    expect(shifted!.reply).toMatchObject({ kind: 'answer', topic: 'scam.warning' });
    // Without the shift word, the facet word asks the live topic's part.
    const [, plain] = converse('注销微信号', '客服电话多少');
    expect(plain!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'contact' });
  });

  it('takes "清楚了" for an acknowledgement, not for 清除 (remove) that it sounds like', () => {
    const [, ack] = converse('微信怎么解除实名', '清楚了');
    expect(ack!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.thanks' });
    expect(engine.nlu.prepare('这个说法过时了吗')).toContain('过时');
  });

  it('answers a facet asked of the bot itself as small talk, and the same facet of the matter as a follow-up', () => {
    const [, bot] = converse('注销微信号', '这个机器人要钱吗');
    expect(bot!.reply).toMatchObject({ kind: 'smalltalk', topic: 'meta.about' });
    expect(renderText(bot!.reply)).toContain('不收费');
    const [, matter] = converse('注销微信号', '注销要钱吗');
    expect(matter!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'cost' });
    // As a first question too; a bare facet phrase speaks to no bot, in a conversation or out of one.
    const first = engine.respond(null, '用这个机器人收费吗', T0).reply;
    expect(first).toMatchObject({ kind: 'smalltalk', topic: 'meta.about' });
    expect(renderText(first)).toContain('不收费');
    const [, bare] = converse('注销微信号', '要钱吗');
    expect(bare!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'cost' });
    expect(engine.respond(null, '要钱吗', T0).reply.kind).toBe('fallback');
    // A facet phrase whose other words only read like small talk ("需要哪些" ~ 需要帮助) but speak to
    // no bot asks the live topic.
    const [, materials] = converse('我想把微信实名换成我自己的', '需要哪些材料');
    expect(materials!.reply).toMatchObject({ kind: 'followup', topic: 'realname.change', facet: 'materials' });
  });

  it('says a facet is not covered when the live topic has no such section and the turn says nothing else', () => {
    // 需要 reads like the materials, but "需要多久" only asks how long.
    const [, long] = converse('我的微信账号被冻结了 怎么解冻', '需要多久');
    expect(long!.reply).toMatchObject({ kind: 'clarify', topic: 'account.stolen' });
  });

  it('reads English idioms and waiting periods as what they mean', () => {
    const [, wait, mind] = converse('I want to close my wechat account', 'is there a waiting period', 'what if i change my mind');
    expect(wait!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'duration' });
    expect(mind!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'undo' });
  });

  it('understands Cantonese question words through the lexicon synonyms', () => {
    const [first, long] = converse('微信實名點樣取消', '需要幾耐');
    expect(first!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    expect(long!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'duration' });
    expect(engine.respond(null, '點解要實名', T0).reply.topic).toBe('realname.why');
  });

  it('understands Cantonese function words through the lexicon synonyms (咗, 唔, 嘅, 俾, 仲 before a verb)', () => {
    // Without them every one of these falls back: 咗, 佢 and 俾 are words training never saw.
    expect(engine.respond(null, '我阿嫲上個月走咗,佢微信仲有錢點處理', T0).reply).toMatchObject({ kind: 'answer', topic: 'deceased.account' });
    expect(engine.respond(null, '我個微信號俾人偷咗,點搞', T0).reply).toMatchObject({ kind: 'answer', topic: 'account.stolen' });
    // 仲裁 (arbitration) is Mandarin: only 仲 before a verb is 还.
    expect(engine.nlu.parse('仲有人加佢').text).toContain('还有');
    expect(engine.nlu.parse('我有个仲裁还没结').text).toContain('仲裁');
  });

  it('reads a first question whose words only partly meet an English facet phrase as its topic, not as a facet alone', () => {
    // "do I need my passport for that" was a materials phrase: "…need my passport photo, thats…" met most of it.
    expect(engine.respond(null, 'why does wechat need my passport photo, thats invasive', T0).reply).toMatchObject({ kind: 'answer', topic: 'realname.why' });
    expect(converse('how do I verify with my passport', 'do i need my passport for that')[1]!.reply).toMatchObject({ kind: 'followup', topic: 'realname.verify', facet: 'materials' });
  });

  it('reads 偷 as stealing (我号被人偷了)', () => {
    expect(engine.nlu.parse('我号被人偷了').entities.map((e) => `${e.type}=${e.value}`)).toContain('action=steal');
    // 偷偷 (secretly) is no theft.
    expect(engine.nlu.parse('儿子偷偷拿我手机').entities.map((e) => e.value)).not.toContain('steal');
  });

  it('reads "says he is customer service" (說自己是, Cantonese 話自己係) as claiming to be: 自称', () => {
    expect(engine.nlu.parse('有人話自己係騰訊客服').text).toContain('自称腾讯客服');
    for (const text of ['有人話自己係騰訊客服 叫我俾錢解封', '有人在微信说自己是腾讯客服 要我给钱才帮我解封']) {
      expect(engine.respond(null, text, T0).reply, text).toMatchObject({ kind: 'answer', topic: 'scam.warning' });
    }
  });

  it('understands Cantonese everyday words (過咗身, 阿媽, 佢個, 淨係, 傾偈) through the lexicon', () => {
    expect(engine.nlu.parse('阿爸過咗身,佢個微信點處理').text).toContain('爸爸过了身');
    expect(engine.respond(null, '阿爸上年過咗身,佢個微信仲有錢', T0).reply).toMatchObject({ kind: 'answer', topic: 'deceased.account' });
    const [, chat] = converse('點解微信要實名', '我淨係用嚟傾偈 唔實名得唔得');
    expect(chat!.reply).toMatchObject({ kind: 'followup', topic: 'realname.why' });
    // 剷 (delete), 入面 (inside), 仲 before more verbs.
    expect(engine.nlu.parse('剷咗個微信號之後 入面啲錢仲見唔見到').text).toContain('删了个微信号之后里面这些钱还见不见到');
    // 點搞 asks how (怎么搞), but 有点搞不懂 and 早点搞定 are Mandarin; 聽講 is 听说, 轉返 转回, 我個仔 我儿子.
    expect(engine.respond(null, '想剷咗個微信帳號 要點搞', T0).reply).toMatchObject({ kind: 'answer', topic: 'account.delete', facet: 'steps' });
    expect(engine.nlu.parse('有点搞不懂 早点搞定').text).toBe('有点搞不懂早点搞定');
    expect(engine.nlu.parse('聽講要轉返做我個仔嘅').text).toContain('听说要转回做我儿子的');
    // 阿妈 alone is no 阿 + 妈 of Mandarin: only the Cantonese 佢個 is 他的, not 我个人.
    expect(engine.nlu.parse('我个人信息').text).toContain('我个人');
  });

  it('follows a Cantonese conversation: 点算 is 怎么办, a leading 咁 links like 那', () => {
    const [, , money] = converse('我想取消微信實名', '要幾耐', '啲錢點算');
    expect(money!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove' });
    const [, self] = converse('有人話俾300蚊幫我解除實名 係咪真', '咁我自己點做');
    expect(self!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
  });

  it('keeps Mandarin words that hold a Cantonese synonym form (快点解封 is no 点解, "why")', () => {
    expect(engine.nlu.parse('怎么才能快点解封微信').text).toContain('快点解封');
    expect(engine.respond(null, '怎么才能快点解封微信', T0).reply).toMatchObject({ kind: 'answer', topic: 'account.stolen' });
    expect(engine.respond(null, '有没有办法早点解除实名', T0).reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
    expect(engine.nlu.parse('點解要實名').text).toContain('为什么');
  });

  it("reads a detail the topic's text barely names by how it is asked (can it be done, if …: conditions)", () => {
    const [, debt] = converse('怎么注销微信号', '我还欠着微粒贷 能注销吗');
    expect(debt!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'conditions' });
    const [, consent] = converse('微信实名能换成我老公的吗', '他不同意的话还能换吗');
    expect(consent!.reply).toMatchObject({ kind: 'followup', topic: 'realname.change', facet: 'conditions' });
  });

  it('reads an action alone, asked of the live topic, as whether it can be done (conditions) or how (steps)', () => {
    const [, can] = converse('号被封了', '能解封吗');
    expect(can!.reply).toMatchObject({ kind: 'followup', topic: 'account.stolen', facet: 'conditions' });
    const [, how] = converse('号被封了', '怎么解封');
    expect(how!.reply).toMatchObject({ kind: 'followup', topic: 'account.stolen', facet: 'steps' });
    const [, change] = converse('微信实名能换人吗', '能改吗');
    expect(change!.reply).toMatchObject({ kind: 'followup', topic: 'realname.change', facet: 'conditions' });
    // In English too; "how" asks the steps whatever the modal.
    const [, check] = converse('someone used my passport to open wechat pay', 'how can I check');
    expect(check!.reply).toMatchObject({ kind: 'followup', topic: 'realname.misuse', facet: 'steps' });
    // An action of another topic is no such question: it switches.
    const [, other] = converse('号被封了', '可以注销吗');
    expect(other!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it('answers the live topic again for an elliptical turn that swaps one of its platforms for another', () => {
    const [, qq, wechat] = converse('微博怎么注销', '那QQ呢', '那微信号呢');
    expect(qq!.reply).toMatchObject({ kind: 'answer', topic: 'other.platforms' });
    // No facet was asked, so none is carried to WeChat's own answer.
    expect(wechat!.reply).toMatchObject({ kind: 'answer', topic: 'account.delete', facet: null });
  });

  it('reads a turn of question words alone as asked of the live topic, whatever topic its question word leans to', () => {
    // 为什么 leans to why real-name is required; after selling an account it asks why that is not allowed.
    const [, why, rent] = converse('想把微信号卖了', '为什么不行', '那租出去呢');
    expect(why!.reply).toMatchObject({ kind: 'followup', topic: 'scam.warning' });
    expect(rent!.reply).toMatchObject({ kind: 'followup', topic: 'scam.warning' });
    // A pronoun and a verb ask the verb of the live matter: deleting the passport data, not the account.
    const [, it] = converse('is it safe to give wechat my passport', 'can I delete it');
    expect(it!.reply).toMatchObject({ kind: 'followup', topic: 'privacy.data' });
    const [, face] = converse('微信会保存我的人脸信息吗', '能删掉它吗');
    expect(face!.reply).toMatchObject({ kind: 'followup', topic: 'privacy.data' });
    // A pronoun for a person is no such thing: the one to change the real-name to.
    const [, , son] = converse('我儿子用我的身份证实名了他的微信', '他现在成年了', '怎么改成他自己的');
    expect(son!.reply).toMatchObject({ kind: 'answer', topic: 'realname.change' });
  });

  it('switches to a topic the turn reads as surely as a first question, whatever the live sections share with it', () => {
    for (const first of ['微信实名怎么解除', '为什么要实名认证']) {
      expect(converse(first, '注销微信号')[1]!.reply, first).toMatchObject({ kind: 'answer', topic: 'account.delete' });
    }
  });

  it('switches on a turn that names nothing new but reads as another topic surely, where both topics explain its words alike', () => {
    const [, why] = converse('听说实名规定改了 是真的吗', '那为什么一定要实名呢');
    expect(why!.reply).toMatchObject({ kind: 'answer', topic: 'realname.why' });
  });

  it('gives the context boost no weight where the live sections barely touch the turn and another topic leads without it', () => {
    // Whether the ID photo is kept is privacy's matter; why real-name is required only won with the boost.
    const [, privacy] = converse('为什么要实名认证', '我觉得不安全 我的身份证照片会被存着吗');
    expect(privacy!.reply).toMatchObject({ kind: 'answer', topic: 'privacy.data' });
    // A follow-up its sections explain stays.
    const [, stay] = converse('为什么要实名认证', '只聊天不付钱也要实名吗');
    expect(stay!.reply).toMatchObject({ kind: 'followup', topic: 'realname.why' });
  });

  it('reads 注销 after 注销微信支付 as that closing, not as deleting the account', () => {
    const [, effect] = converse('注销微信支付', '注销以后有什么影响');
    expect(effect!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'consequences' });
    // The frame's own action and place, with a detail: what closing it leads to.
    const [, login] = converse('我想注销微信支付', '注销之后微信还能登录吗');
    expect(login!.reply).toMatchObject({ kind: 'followup', topic: 'realname.remove', facet: 'consequences' });
  });

  it('keeps a thing the live topic talks about, named alone, on the live topic; with an action of its own it switches', () => {
    // Bank cards are in the verification text (and in a few other topics'): a detail of verifying.
    const [, detail] = converse('怎么开通微信支付', '用我老公的银行卡行吗');
    expect(detail!.reply).toMatchObject({ kind: 'followup', topic: 'realname.verify' });
    const [, other] = converse('怎么开通微信支付', '银行卡怎么解绑');
    expect(other!.reply).toMatchObject({ kind: 'answer', topic: 'bankcard.unbind' });
  });

  it('keeps what the conversation named across a pressed facet button, so an elliptical switch still reads against it', () => {
    const first = engine.respond(null, '微信怎么解除实名认证', T0);
    const pressed = engine.respond(first.session, { topic: 'realname.remove', facet: 'duration' }, T0 + MIN);
    expect(pressed.session.frame?.entities).toEqual(first.session.frame?.entities);
    const switched = engine.respond(pressed.session, '那注销账号呢', T0 + 2 * MIN);
    expect(switched.reply).toMatchObject({ kind: 'answer', topic: 'account.delete' });
  });

  it('takes no scam route from an everyday word that holds a trade form (出租车, 做买卖), and still from the form itself', () => {
    for (const q of ['在出租车上手机丢了 微信怎么办', '微信做买卖收款要实名吗']) expect(engine.respond(null, q, T0).reply.topic, q).not.toBe('scam.warning');
    expect(engine.respond(null, '微信号出租违法吗', T0).reply.topic).toBe('scam.warning');
  });

  it('reads a facet phrase beside a self-description that leans off-topic as a follow-up, a recipe as off-topic', () => {
    const [, owner] = converse('注销微信账号要满足什么条件', '我是群主有影响吗');
    expect(owner!.reply).toMatchObject({ kind: 'followup', topic: 'account.delete' });
    const [, recipe] = converse('注销微信账号要满足什么条件', '红烧肉怎么做');
    expect(recipe!.reply).toMatchObject({ kind: 'fallback' });
  });

  it('reads an elliptical turn that names only a value the frame holds as the same matter, on the live topic', () => {
    // 转账 is the frame's object (pay) again: not "微信支付 + 转账" ranked alone, which reads as closing WeChat Pay.
    const [, transfer] = converse('不实名能收红包吗', '那转账呢');
    expect(transfer!.reply).toMatchObject({ kind: 'followup', topic: 'realname.why' });
    // A value the frame holds another of is still a swap.
    const [, wechat] = converse('京东的实名怎么解绑', '那微信的呢');
    expect(wechat!.reply.topic).toBe('realname.remove');
  });

  it('never reads a bare facet phrase the live topic has no section for as another topic\'s question', () => {
    // other.platforms has no cost section: "which part?" with the note, not the scam warning's cost,
    // and the frame survives for the next elliptical turn.
    const [, cost, wechat] = converse('抖音实名怎么解除', '要钱吗', '微信的呢');
    expect(cost!.reply).toMatchObject({ kind: 'clarify', topic: 'other.platforms' });
    expect(wechat!.reply).toMatchObject({ kind: 'answer', topic: 'realname.remove' });
  });

  it('reads a correction that names WeChat after another platform as a WeChat question, not a section of the other', () => {
    for (const corrected of ['不对 我问微信 微信实名怎么换个人', '不对 我要问的是微信 微信实名咋换个人']) {
      const [, , wechat] = converse('QQ实名怎么换', 'QQ注销找谁', corrected);
      expect(wechat!.reply).toMatchObject({ kind: 'answer', topic: 'realname.change' });
    }
  });

  it('answers another platform named alone as other.platforms (a lexicon route)', () => {
    expect(engine.respond(null, '微博号怎么注销', T0).reply).toMatchObject({ kind: 'answer', topic: 'other.platforms' });
    expect(engine.respond(null, '用QQ号注册的微信怎么注销', T0).reply.topic).toBe('account.delete');
  });
});

describe('curated facet phrases', () => {
  it('reads "where do I change it" (在哪改) as asking the steps', () => {
    for (const [text, topic] of [
      ['我换了手机号 微信里在哪改', 'phone.change'],
      ['身份证换新的了 实名信息在哪改', 'realname.change'],
    ] as const) {
      expect(engine.respond(null, text, T0).reply, text).toMatchObject({ kind: 'answer', topic, facet: 'steps' });
    }
  });
});

describe('bad input', () => {
  const cases: [string, string][] = [
    ['empty line', ''],
    ['whitespace only', '   \t  '],
    ['100 KB of text', '注销'.repeat(25_000) + '啊'.repeat(50_000)],
    ['only emoji', '😀😂🎉👍🙏'],
    ['control characters', '\u0000\u0001\u0007\u001b[31m注销\u0008'],
    ['mixed scripts', 'Как удалить 微信 account アカウント 삭제'],
    ['HTML', '<script>alert(1)</script><b>实名</b>'],
    ['Markdown', '**注销** [link](http://evil.example) `code` _x_'],
    ['lone surrogates and RTL marks', '\ud800\u202e注销\u200f\udfff'],
  ];
  for (const [name, text] of cases) {
    it(`gets a sensible reply for ${name}, echoing nothing back`, () => {
      const { reply } = engine.respond(null, text, T0);
      expect(['answer', 'fallback', 'clarify', 'smalltalk', 'followup', 'refusal']).toContain(reply.kind);
      const out = renderText(reply);
      expect(out.length).toBeGreaterThan(0);
      expect(out).not.toContain('<script>');
      expect(out).not.toContain('evil.example');
    });
  }
});

describe('script memory', () => {
  it('answers a pressed button in Traditional after a Traditional question, and back after Simplified', () => {
    const first = engine.respond(null, '微信實名認證怎麼解除', T0);
    const s = first.reply.suggestions.find((x) => x.kind === 'facet')!;
    const pressed = engine.respond(first.session, { topic: s.topic, facet: s.facet }, T0 + MIN);
    expect(renderText(pressed.reply)).toMatch(/[註銷實認證]/);
    const simplified = engine.respond(pressed.session, '怎么注销微信账号', T0 + 2 * MIN);
    const again = engine.respond(simplified.session, { topic: 'account.delete', facet: 'duration' }, T0 + 3 * MIN);
    expect(renderText(again.reply)).toContain('注销');
  });

  it('shows channel notes once per topic: follow-ups list channels compactly', () => {
    const [, followup] = converse('怎么注销微信账号', '要多久?');
    const channels = followup!.reply.blocks.find((b) => b.type === 'channels');
    expect(channels && 'compact' in channels && channels.compact).toBe(true);
  });
});
