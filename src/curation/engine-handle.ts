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

/** An Engine whose every member reads `target()` at the time of the call, with its own `respond`. */
function forwardTo(target: () => Engine, respond: Engine['respond']): Engine {
  return {
    respond,
    welcome: () => target().welcome(),
    topicsMenu: () => target().topicsMenu(),
    get topics() {
      return target().topics;
    },
    knows: (id) => target().knows(id),
    get contextTtlMs() {
      return target().contextTtlMs;
    },
    get matcher() {
      return target().matcher;
    },
    get nlu() {
      return target().nlu;
    },
    get sections() {
      return target().sections;
    },
  };
}

/** A handle over `initial`; swap() replaces the engine for every later turn. */
export function createEngineHandle(initial: Engine): EngineHandle {
  let current = initial;
  let generation = 0;
  const engine = forwardTo(
    () => current,
    (state, input, now) => {
      const serving = current;
      // Before any reload every topic in a state is known: skip the extra validation.
      return serving.respond(generation ? pruneState(state, serving) : state, input, now);
    },
  );
  return Object.defineProperties(engine, {
    current: { get: () => current },
    generation: { get: () => generation },
    swap: {
      value: (next: Engine) => {
        current = next;
        generation++;
      },
    },
  }) as EngineHandle;
}

const recorders = new WeakMap<Engine, { channel: string; recorder: TurnRecorder }>();

/** `engine` as `channel` sees it: every turn is reported to `recorder`, which never breaks a reply. */
export function channelEngine(engine: Engine, channel: string, recorder: TurnRecorder, onError: (err: unknown) => void = () => {}): Engine {
  const view = forwardTo(
    () => engine,
    (state: unknown, input: Input, now?: number): RespondResult => {
      const result = engine.respond(state, input, now);
      try {
        recorder.turn(channel, state, input, result);
      } catch (err) {
        onError(err);
      }
      return result;
    },
  );
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
