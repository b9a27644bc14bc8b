/**
 * The engine every channel talks to, in two thin layers over the pure engine:
 *
 *   - an EngineHandle holds the engine of the moment; a content reload builds a
 *     new engine off to the side and swap()s it in at once. Adapters keep their
 *     reference and never see the change; a turn runs wholly on one engine.
 *   - channelEngine() names the channel and reports each turn to the
 *     TurnRecorder (metrics, question log). recordFeedback() takes a 👍/👎.
 */
import type { Engine } from '../engine/engine.js';
import { migrate } from '../engine/state.js';
import type { Input, RespondResult } from '../engine/types.js';
import type { TurnRecorder } from './recorder.js';

export interface EngineHandle extends Engine {
  /** The engine serving now. */
  readonly current: Engine;
  /** How many times the engine was swapped. */
  readonly generation: number;
  /** Serves `next` from the next turn on. */
  swap(next: Engine): void;
}

const topicSets = new WeakMap<Engine, Set<string>>();
const topicsOf = (engine: Engine): Set<string> => {
  let set = topicSets.get(engine);
  if (!set) topicSets.set(engine, (set = new Set(engine.topics.map((t) => t.id))));
  return set;
};

/**
 * A stored state without the topics `engine` no longer knows (a reload removed or renamed one):
 * the frame is dropped, and so are offered candidates and runner-ups of such topics. The state as
 * it was when nothing needs to go (or when it is not a state the engine reads at all).
 */
export function pruneState(state: unknown, engine: Engine): unknown {
  if (!state) return state;
  const s = migrate(state);
  if (!s) return state;
  const topics = topicsOf(engine);
  const frameGone = !!s.frame && !topics.has(s.frame.topic);
  const offer = s.offer.filter((o) => engine.knows(o.topic));
  const alternatives = s.alternatives.filter((t) => topics.has(t));
  if (!frameGone && offer.length === s.offer.length && alternatives.length === s.alternatives.length) return state;
  return { ...s, ...(frameGone ? { frame: null, shown: [] } : {}), offer, alternatives };
}

/** A handle over `initial`; swap() replaces the engine for every later turn. */
export function createEngineHandle(initial: Engine): EngineHandle {
  let current = initial;
  let generation = 0;
  return {
    get current() {
      return current;
    },
    get generation() {
      return generation;
    },
    swap(next) {
      current = next;
      generation++;
    },
    respond(state, input, now) {
      const engine = current;
      // Before any reload every topic in a state is known: skip the extra validation.
      return engine.respond(generation ? pruneState(state, engine) : state, input, now);
    },
    welcome: () => current.welcome(),
    topicsMenu: () => current.topicsMenu(),
    get topics() {
      return current.topics;
    },
    knows: (id) => current.knows(id),
    get contextTtlMs() {
      return current.contextTtlMs;
    },
    get matcher() {
      return current.matcher;
    },
    get nlu() {
      return current.nlu;
    },
    get sections() {
      return current.sections;
    },
  };
}

const recorders = new WeakMap<Engine, { channel: string; recorder: TurnRecorder }>();

/** `engine` as `channel` sees it: every turn is reported to `recorder`, which never breaks a reply. */
export function channelEngine(engine: Engine, channel: string, recorder: TurnRecorder, onError: (err: unknown) => void = () => {}): Engine {
  const view: Engine = {
    respond(state: unknown, input: Input, now?: number): RespondResult {
      const result = engine.respond(state, input, now);
      try {
        recorder.turn(channel, state, input, result);
      } catch (err) {
        onError(err);
      }
      return result;
    },
    welcome: () => engine.welcome(),
    topicsMenu: () => engine.topicsMenu(),
    get topics() {
      return engine.topics;
    },
    knows: (id) => engine.knows(id),
    get contextTtlMs() {
      return engine.contextTtlMs;
    },
    get matcher() {
      return engine.matcher;
    },
    get nlu() {
      return engine.nlu;
    },
    get sections() {
      return engine.sections;
    },
  };
  recorders.set(view, { channel, recorder });
  return view;
}

/**
 * A 👍/👎 on `topic` from a channel's feedback path. `state` is the conversation's current state
 * (the store's value): with it a 👎 on the last answer logs that answer's question. A no-op for an
 * engine that is not a channelEngine() (tests, tools).
 */
export function recordFeedback(engine: Engine, state: unknown, topic: string, useful: boolean): void {
  const target = recorders.get(engine);
  target?.recorder.feedback(target.channel, state, topic, useful);
}
