import { describe, it, expect } from 'vitest';
import { readCues } from '../../src/nlu/cues.js';

const rejects = ['不是这个', '不是', '不对', '答非所问'];
const cues = (t: string) => readCues(t, rejects);

describe('readCues', () => {
  it('reads a leading linking word and a trailing 呢', () => {
    expect(cues('那微信的呢')).toMatchObject({ linking: true, trailingNe: true });
    expect(cues('换成微信呢')).toMatchObject({ linking: true });
    // A linking word before courtesies alone links nothing: the courtesies are the message.
    expect(cues('那谢谢啦')).toMatchObject({ linking: false, bare: true });
    expect(cues('那就这样吧')).toMatchObject({ linking: false, bare: true });
    // Cantonese 咁 ("then") links; 咁耐 ("so long") does not.
    expect(cues('咁我自己点做')).toMatchObject({ linking: true, linkingWord: '咁' });
    expect(cues('咁耐都未搞掂')).toMatchObject({ linking: false });
    expect(cues('那么 注销账号要多久')).toMatchObject({ linking: true, trailingNe: false });
  });

  it('does not take 那个 / 那些 for a linking word', () => {
    expect(cues('那个页面怎么打开').linking).toBe(false);
    expect(cues('那些号会被删吗').linking).toBe(false);
  });

  it('tells a bare rejection from a correction with content', () => {
    expect(cues('不是这个')).toMatchObject({ reject: true, correction: null });
    expect(cues('不对 我是说换成我妈的身份证')).toMatchObject({ reject: false, correction: '换成我妈的身份证' });
    expect(cues('不是花呗 是分付')).toMatchObject({ correction: '分付', rejected: '花呗' });
    expect(cues('不对 我是说换成我妈的身份证').rejected).toBeNull();
    // "Not X, only Y" in a correction: X is not wanted, Y is meant (apostrophes are spaces by now).
    expect(cues('no i mean i dont want to delete the whole account just the payment part')).toMatchObject({ correction: 'the payment part', rejected: 'delete the whole account' });
    expect(cues('no i don t want to delete my account only close wechat pay')).toMatchObject({ correction: 'close wechat pay', rejected: 'delete my account' });
    expect(cues('不对 我不想注销整个号 只想关支付')).toMatchObject({ correction: '关支付', rejected: '注销整个号' });
    expect(cues('我说错了 是想注销整个号').correction).toBe('注销整个号');
    expect(cues('no i mean delete the account').correction).toBe('delete the account');
  });

  it('drops a rejection repeated after what is meant ("是微信的 不是支付宝"), not the 不是 of 是不是', () => {
    expect(cues('我说错了 是微信的 不是支付宝').correction).toBe('微信的');
    expect(cues('不对 我是说怎么注销整个号 而不是解除实名').correction).toBe('怎么注销整个号');
    expect(cues('不对 我是说这个电话是不是真的').correction).toBe('这个电话是不是真的');
    // Nothing before it: the rejection is all there is (a bare "不是X" is read as before).
    expect(cues('不对 不是支付宝').correction).toBe('不是支付宝');
  });

  it('notices a turn that points back at what was said', () => {
    expect(cues('那这样会影响我的实名吗').anaphora).toBe(true);
    expect(cues('他那个号还能用吗').anaphora).toBe(true);
    expect(cues('我建的那几个群还会在吗').anaphora).toBe(true);
    expect(cues('where do i upload it').anaphora).toBe(true);
    expect(cues('那微信的呢').anaphora).toBe(false);
  });

  it('reads a correction typed or dictated without a pause, when its head can only be one', () => {
    expect(cues('我说错了没被盗是我自己想把号注销').correction).toBe('没被盗是我自己想把号注销');
    expect(cues('不对不对不是号被盗是有人用我的身份证实名了').correction).toBe('有人用我的身份证实名了');
    expect(cues('说错了是微信的').correction).toBe('微信的');
    // 不是 / 不对 alone still need a pause: they start ordinary questions too.
    expect(cues('不对外公开吗').correction).toBeNull();
  });

  it('does not read 不是 inside a question as a correction', () => {
    expect(cues('不是本人的身份证怎么办').correction).toBeNull();
    expect(cues('是不是要先注销').correction).toBeNull();
  });
  it('reads a shift to a new matter at the start, and nothing else as one', () => {
    expect(cues('另外 我想问问注销账号')).toMatchObject({ shift: true, lead: '另外' });
    expect(cues('by the way how do i delete my account')).toMatchObject({ shift: true, lead: 'by the way' });
    // 算了 ("never mind") drops what was being discussed.
    expect(cues('算了 我还是把整个号注销掉吧')).toMatchObject({ shift: true, lead: '算了' });
    expect(cues('顺便问下 实名能改吗').lead).toBe('顺便问下');
    expect(cues('注销以后另外一个号还能用吗')).toMatchObject({ shift: false, lead: '' });
  });

  it('reads courtesies before a question as its lead, which is no shift', () => {
    expect(cues('谢谢 那好友会收到通知吗')).toMatchObject({ shift: false, lead: '谢谢' });
    expect(cues('好的 谢谢 另外 实名能改吗')).toMatchObject({ shift: true, lead: '好的 谢谢 另外' });
    expect(cues('thanks what about wechat')).toMatchObject({ shift: false, lead: 'thanks' });
    expect(cues('微信实名怎么解除 谢谢了')).toMatchObject({ lead: '', tail: '谢谢了' });
    expect(cues('how do i delete my account thanks')).toMatchObject({ tail: 'thanks' });
    expect(cues('can i remove my passport from wechat pay please help')).toMatchObject({ tail: 'please help' });
    // The other cues are read on the question between them.
    expect(cues('谢谢 那微信的呢')).toMatchObject({ lead: '谢谢', linking: true, trailingNe: true });
    expect(cues('好的 不对 我是说换成我妈的 谢谢').correction).toBe('换成我妈的');
    // An apology before the correction, and a rejection after it in English.
    expect(cues('不好意思说错了 我是想把整个微信号注销').correction).toBe('把整个微信号注销');
    expect(cues('oops i meant just closing wechat pay not alipay').correction).toBe('just closing wechat pay');
    expect(cues('sorry i meant removing my real name but not the whole account').correction).toBe('removing my real name');
    // "wait no", "no wait" and "nope" correct too; "wait" alone does not.
    expect(cues('wait no i only want to close wechat pay not the whole account').correction).toBe('i only want to close wechat pay');
    expect(cues('nope the bank card').correction).toBe('the bank card');
    expect(cues('wait how long does it take').correction).toBeNull();
    expect(cues('客服你好 请教一下 初中生能开通零钱吗 在线等 急')).toMatchObject({ lead: '客服你好 请教一下', tail: '在线等 急' });
    // Forms of address to the bot are courtesies too; a word that may name a person asked about is not.
    expect(cues('帅哥 注销微信要多久')).toMatchObject({ lead: '帅哥' });
    expect(cues('谢谢你啊小同志')).toMatchObject({ bare: true });
    expect(cues('ok thanks mate')).toMatchObject({ bare: true });
    expect(cues('cheers bro how do i delete my account')).toMatchObject({ lead: 'cheers bro' });
    expect(cues('我把账号借给了兄弟')).toMatchObject({ tail: '' });
    // Exclamations of worry are no content either, before or after the question.
    expect(cues('找不到客服入口 急死了')).toMatchObject({ tail: '急死了' });
    expect(cues('烦死了 微信实名怎么解除')).toMatchObject({ lead: '烦死了' });
    // Courtesies alone are the message: no lead, no tail, but bare; and they correct nothing.
    expect(cues('好的 谢谢')).toMatchObject({ lead: '', tail: '', bare: true });
    expect(cues('帮帮我')).toMatchObject({ bare: true, correction: null });
    expect(cues('我想问一下')).toMatchObject({ bare: true, correction: null });
    expect(cues('我想问一下 要多久')).toMatchObject({ bare: false, lead: '我想问一下' });
    expect(cues('微信实名怎么解除').bare).toBe(false);
    // Thanks of several words is one courtesy: "much" and "many" are no "how much" / "how many" here.
    expect(cues('thank you so much')).toMatchObject({ lead: '', bare: true });
    expect(cues('many thanks')).toMatchObject({ lead: '', tail: '', bare: true });
    expect(cues('thanks so much how long does it take')).toMatchObject({ lead: 'thanks so much', bare: false });
    expect(cues('hi there how do i remove my id')).toMatchObject({ lead: 'hi there' });
    expect(cues('怎么注销微信支付 唔该')).toMatchObject({ tail: '唔该' });
    // Saying it helped is an acknowledgement too, not a request for help.
    expect(cues('thanks a lot that helped')).toMatchObject({ bare: true });
    expect(cues('谢谢 帮大忙了')).toMatchObject({ bare: true });
    // A word that only starts with a courtesy is none.
    expect(cues('history of my account').lead).toBe('');
    expect(cues('okra').lead).toBe('');
    expect(cues('type of id card').lead).toBe('');
  });
});
