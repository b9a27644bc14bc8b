/** The engine handle (swap, state pruning), channelEngine() and the recorder's counts. */
import { describe, it, expect } from 'vitest';
import { Registry } from 'prom-client';
import { initialState } from '../../src/engine/state.js';
import type { Engine } from '../../src/engine/engine.js';
import { channelEngine, createEngineHandle, pruneState, recordFeedback } from '../../src/curation/engine-handle.js';
import { createTurnRecorder, followedSuggestion, reasonFor, stateFingerprint, type TurnRecorder } from '../../src/curation/recorder.js';
import type { LogEntry, QuestionLog } from '../../src/curation/question-log.js';
import { realEngine } from '../helpers.js';

/** A log in memory. */
function memoryLog(): QuestionLog & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    where: 'memory',
    append: (e) => void entries.push(e),
    flush: async () => {},
    read: async () => entries,
    prune: async () => {},
    ignored: async () => [],
    ignore: async () => {},
    close: async () => {},
  };
}

const live = (topic: string) => ({ ...initialState(), frame: { topic, facet: null, entities: {} }, offer: [{ topic, facet: null }], alternatives: [topic, 'account.delete'], lastTurnAt: Date.now() });

describe('EngineHandle', () => {
  it('serves the engine of the moment: a swap takes effect on the next turn, the reference stays', () => {
    const engine = realEngine();
    const other = { ...engine, respond: () => ({ ...engine.respond(null, '你好'), candidates: [] }), topics: [] } as Engine;
    const handle = createEngineHandle(engine);
    expect(handle.respond(null, '微信怎么解除实名认证').reply.topic).toBe('realname.remove');
    expect(handle.topics.length).toBe(engine.topics.length);
    handle.swap(other);
    expect(handle.generation).toBe(1);
    expect(handle.current).toBe(other);
    expect(handle.respond(null, '微信怎么解除实名认证').reply.kind).toBe('smalltalk');
    expect(handle.topics).toEqual([]);
  });

  it('drops topics a reload removed from a session: the frame, offered candidates, runner-ups', () => {
    const engine = realEngine();
    const state = live('gone.topic');
    expect(pruneState(state, engine)).toMatchObject({ frame: null, shown: [], offer: [], alternatives: ['account.delete'] });
    const kept = live('account.delete');
    expect(pruneState(kept, engine)).toBe(kept);
    expect(pruneState(undefined, engine)).toBeUndefined();
    expect(pruneState({ not: 'a state' }, engine)).toEqual({ not: 'a state' });

    // After a swap, a turn with a vanished topic in its state is answered (an empty message too).
    const handle = createEngineHandle(engine);
    handle.swap(engine);
    for (const input of ['？', '要多久', '1', '不是这个']) expect(() => handle.respond(state, input)).not.toThrow();
    expect(handle.respond(state, '？').reply.kind).toBe('fallback');
  });
});

describe('channelEngine and the recorder', () => {
  const setup = (options: { log?: boolean } = {}) => {
    const registry = new Registry();
    const log = memoryLog();
    const recorder = createTurnRecorder({ ...(options.log === false ? {} : { log }), registry, logBelow: 0.5 });
    return { registry, log, recorder, web: channelEngine(realEngine(), 'web', recorder) };
  };

  it('logs fallbacks, clarifies and weak answers of typed questions, not confident answers or buttons', async () => {
    const { log, recorder, web } = setup();
    web.respond(null, '红包限额是多少'); // fallback
    web.respond(null, '微信怎么解除实名认证'); // a confident answer
    web.respond(null, { topic: 'account.delete' }); // a button
    await recorder.flush();
    const questions = log.entries.filter((e) => e.type === 'question');
    expect(questions).toEqual([expect.objectContaining({ reason: 'fallback', channel: 'web', text: '红包限额是多少', kind: 'fallback' })]);
    expect(log.entries.find((e) => e.type === 'tally')).toMatchObject({ channel: 'web', typed: 2, buttons: 1, kinds: { fallback: 1, answer: 1 }, followed: 1 });
    expect(reasonFor('clarify', 0.9, 0.5)).toBe('clarify');
    expect(reasonFor('answer', 0.49, 0.5)).toBe('low-confidence');
    expect(reasonFor('refusal', 0.28, 0.5)).toBe('low-confidence');
    expect(reasonFor('followup', 0.2, 0.5)).toBeNull();
    expect(reasonFor('smalltalk', 0.2, 0.5)).toBeNull();
  });

  it('counts a suggestion followed: a button, or a typed choice among offered candidates', () => {
    const engine = realEngine();
    const clarify = { ...initialState(), offer: [{ topic: 'account.delete', facet: null }, { topic: 'realname.remove', facet: null }], lastTurnAt: Date.now() };
    const picked = engine.respond(clarify, '2');
    expect(picked.reply.topic).toBe('realname.remove');
    expect(followedSuggestion(clarify, '2', picked)).toBe(true);
    expect(followedSuggestion(null, { topic: 'account.delete', facet: 'duration' }, engine.respond(null, { topic: 'account.delete', facet: 'duration' }))).toBe(true);
    expect(followedSuggestion(null, { topic: 'meta.help' }, engine.respond(null, { topic: 'meta.help' }))).toBe(false);
    expect(followedSuggestion(null, '微信怎么注销', engine.respond(null, '微信怎么注销'))).toBe(false);
  });

  it('logs the question of a 👎 on the last answer, found by the session state alone', async () => {
    const { log, recorder, web } = setup();
    const first = web.respond(null, '微信账号怎么注销');
    expect(first.reply.topic).toBe('account.delete');
    // The state comes back from a store: another object, keys in another order.
    const stored = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(first.session).reverse())));
    expect(stateFingerprint(stored)).toBe(stateFingerprint(first.session));
    recordFeedback(web, stored, 'account.delete', false);
    recordFeedback(web, stored, 'account.delete', false); // twice: logged once
    recordFeedback(web, stored, 'realname.remove', true);
    recordFeedback(realEngine(), stored, 'account.delete', false); // not a channel engine: nothing
    await recorder.flush();
    expect(log.entries.filter((e) => e.type === 'question')).toEqual([expect.objectContaining({ reason: 'downvote', topic: 'account.delete', text: '微信账号怎么注销' })]);
    expect(log.entries.filter((e) => e.type === 'feedback')).toHaveLength(3);
  });

  it('exposes per-channel counters and rates in the registry', async () => {
    const { registry, recorder, web } = setup({ log: false });
    const tg = channelEngine(realEngine(), 'telegram', recorder);
    web.respond(null, '红包限额是多少');
    web.respond(null, '微信怎么注销');
    web.respond(null, '朋友圈怎么设置三天可见');
    tg.respond(null, '微信怎么注销');
    tg.respond(null, { topic: 'account.delete', facet: 'duration' });
    const text = await registry.metrics();
    expect(text).toContain('bot_questions_total{channel="web",kind="fallback"} 2');
    expect(text).toMatch(/bot_no_answer_rate\{channel="web"\} 0\.66/);
    expect(text).toContain('bot_no_answer_rate{channel="telegram"} 0');
    expect(text).toContain('bot_clarify_rate{channel="web"} 0');
    expect(text).toContain('bot_suggestions_total{channel="telegram",event="followed"} 1');
    expect(text).toContain('bot_suggestions_followed_rate{channel="telegram"} 0.5');
  });

  it('never breaks a reply when recording fails', () => {
    const broken: TurnRecorder = {
      turn: () => {
        throw new Error('disk full');
      },
      feedback: () => {},
      flush: async () => {},
      close: async () => {},
    };
    const errors: unknown[] = [];
    const engine = channelEngine(realEngine(), 'web', broken, (err) => errors.push(err));
    expect(engine.respond(null, '微信怎么注销').reply.kind).toBe('answer');
    expect(errors).toHaveLength(1);
  });
});
