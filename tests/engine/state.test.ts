import { describe, it, expect } from 'vitest';
import { initialState, migrate, STATE_VERSION } from '../../src/engine/state.js';
import { realEngine } from '../helpers.js';

describe('dialogue state', () => {
  it('starts empty, at the current version, with no text in it', () => {
    expect(initialState()).toEqual({ v: STATE_VERSION, frame: null, shown: [], offer: [], alternatives: [], lastTurnAt: 0 });
  });

  it('migrates a version-1 session (flat topic, pending ids)', () => {
    const v1 = { topic: 'account.delete', facetsShown: ['duration', 'bogus'], pending: ['realname.remove'], alternatives: [], lastTurnAt: 7 };
    expect(migrate(v1)).toEqual({
      v: 2,
      frame: { topic: 'account.delete', facet: null, entities: {} },
      shown: ['duration'],
      offer: [{ topic: 'realname.remove', facet: null }],
      alternatives: [],
      lastTurnAt: 7,
    });
  });

  it('keeps a current state as it is and rejects anything else', () => {
    const s = { ...initialState(), frame: { topic: 'x.y', facet: 'steps' as const, entities: { action: 'close' } }, lastTurnAt: 1 };
    expect(migrate(s)).toEqual(s);
    for (const bad of [null, 5, 'x', [], { v: 3 }, { ...initialState(), text: '微信怎么解除实名' }]) expect(migrate(bad)).toBeUndefined();
  });

  it('reads a frame stored with the old `inferred` mark, and drops the mark', () => {
    const old = { ...initialState(), frame: { topic: 'x.y', facet: 'conditions' as const, entities: {}, inferred: true }, lastTurnAt: 1 };
    expect(migrate(old)).toEqual({ ...old, frame: { topic: 'x.y', facet: 'conditions', entities: {} } });
  });

  it('keeps the topic a message leaned to, an id only: a state stored before the field existed still reads', () => {
    const leaning = { ...initialState(), lean: 'realname.remove', lastTurnAt: 1 };
    expect(migrate(leaning)).toEqual(leaning);
    expect(migrate({ ...initialState(), lean: 'x'.repeat(101) })).toBeUndefined();
    expect(migrate({ ...initialState(), lastTurnAt: 1 })).not.toHaveProperty('lean');
  });

  it('keeps whether the offer was a clarify; a state stored before the field existed still reads', () => {
    const clarified = { ...initialState(), offer: [{ topic: 'realname.remove', facet: null }], clarified: true as const, lastTurnAt: 1 };
    expect(migrate(clarified)).toEqual(clarified);
    expect(migrate({ ...initialState(), clarified: false })).toBeUndefined();
    expect(migrate({ ...initialState(), lastTurnAt: 1 })).not.toHaveProperty('clarified');
  });

  it('a conversation carried in a v1 session goes on: the follow-up applies to its topic', () => {
    const v1 = { topic: 'account.delete', facetsShown: [], pending: [], alternatives: [], lastTurnAt: 1_000 };
    const r = realEngine().respond(v1, '要多久', 61_000);
    expect(r.reply).toMatchObject({ kind: 'followup', topic: 'account.delete', facet: 'duration' });
    expect(r.session.v).toBe(2);
  });

  it('survives a stored topic that no longer exists (content edited since), whatever the turn', () => {
    const stale = { ...initialState(), frame: { topic: 'gone.topic', facet: null, entities: {} }, lastTurnAt: 1 };
    for (const text of ['？', '', '要多久', '那微信的呢', '不是这个']) expect(() => realEngine().respond(stale, text, 2)).not.toThrow();
  });

  it('never stores the message text', () => {
    const text = '我的微信号作废了怎么办呀特别的句子';
    const { session } = realEngine().respond(null, text, 1);
    expect(JSON.stringify(session)).not.toContain('特别的句子');
    expect(JSON.stringify(session)).not.toContain('作废');
  });
});
