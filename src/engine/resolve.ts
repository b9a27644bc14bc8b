/**
 * Reading a turn against the conversation so far: an elliptical turn ("那微信的呢")
 * keeps the last answer's frame with the slots it names replaced; entity routes
 * ("微博号怎么注销" names another platform only) come from the lexicon.
 */
import type { CompiledLexicon, EntityHit } from '../nlu/lexicon.js';
import { entityFeature } from '../nlu/features.js';
import type { Frame } from './state.js';

/** Entities by type, the last value named winning. */
export function entityMap(hits: readonly EntityHit[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of hits) if (!h.nested) out[h.type] = h.value;
  for (const h of hits) if (h.nested && !(h.type in out)) out[h.type] = h.value;
  return out;
}

/** The frame's entities with the ones this turn names put in their place. */
export function fillFrame(frame: Frame, hits: readonly EntityHit[]): Record<string, string> {
  return { ...frame.entities, ...entityMap(hits) };
}

/**
 * The topic the named entities route to: a type all of whose named values
 * carry the same route (and no value without one), named together with
 * something of another type, so the question is about such a matter
 * ("淘宝账号怎么注销" routes; "淘宝买的东西怎么退货" and "支付宝和微信" do not).
 */
export function routeOf(lexicon: CompiledLexicon, entities: Record<string, string> | readonly EntityHit[]): string | null {
  // Hits as (type, value, nested). A value named only inside another form (qq in kf.qq.com) starts
  // no route, but it still stops one (微信 inside 微信支付 says the question is about WeChat).
  const hits: [string, string, boolean][] = Array.isArray(entities)
    ? (entities as readonly EntityHit[]).map((h) => [h.type, h.value, !!h.nested])
    : Object.entries(entities as Record<string, string>).map(([t, v]) => [t, v, false]);
  // The types named: those of values named outright, and those inside the form of a value with a
  // route (卖号 names an account as it names selling one).
  const types = new Set(hits.filter((h) => !h[2]).map((h) => h[0]));
  if (Array.isArray(entities)) {
    const list = entities as readonly EntityHit[];
    for (const h of list) {
      if (!h.nested) continue;
      if (list.some((o) => !o.nested && o.type !== h.type && lexicon.entry(o.type, o.value)?.route && o.start <= h.start && h.end <= o.end)) types.add(h.type);
    }
  }
  if (types.size < 2) return null;
  const found = new Set<string>();
  for (const type of new Set(hits.map((h) => h[0]))) {
    const ofType = hits.filter((h) => h[0] === type);
    const routes = new Set(ofType.map(([, v]) => lexicon.entry(type, v)?.route ?? ''));
    if (routes.size === 1 && !routes.has('') && ofType.some((h) => !h[2])) found.add([...routes][0]!);
  }
  // Two types routing to different topics ("淘宝上卖的代解封"): the matcher decides.
  return found.size === 1 ? [...found][0]! : null;
}

/** A text standing for entities (their first Han form), to be ranked with the turn's own words. */
export function entityText(lexicon: CompiledLexicon, entities: Record<string, string>): string {
  return lexicon.types
    .map((type) => (entities[type] ? lexicon.surface(type, entities[type]!) : undefined))
    .filter(Boolean)
    .join(' ');
}

/**
 * The topic a first question is routed to by the lexicon, if any: a route applies unless the
 * message is confidently off-topic ("淘宝买的东西怎么退货") or confidently another topic
 * ("淘宝上卖的代解除实名是骗局吗"). `best` is the matcher's best candidate ('oos' for off-topic).
 */
export function routeFor(
  lexicon: CompiledLexicon,
  best: { topic: string; score: number },
  hits: readonly EntityHit[],
  limits: { offTopicAbove: number; topicAbove: number },
  offTopic = 'oos',
): string | null {
  const routable = best.topic === offTopic ? best.score < limits.offTopicAbove : best.score < limits.topicAbove;
  return routable ? routeOf(lexicon, hits) : null;
}

/** The features of required values ("status.deceased" -> "e:status=deceased"). */
export const requiredFeatures = (requires: readonly string[]): string[] =>
  requires.map((r) => {
    const [type, value] = r.split('.') as [string, string];
    return entityFeature(type, value);
  });

/**
 * Keeps the candidates whose topic's requirements (`requires:` in intents/<id>.yaml, lexicon values
 * such as status.deceased) the terms meet: one of the values' features is among them. The live
 * topic is kept whatever the terms: the conversation named it.
 */
export function requirementGate(topics: readonly { id: string; requires: readonly string[] }[]) {
  const required = new Map(topics.filter((t) => t.requires.length).map((t) => [t.id, requiredFeatures(t.requires)]));
  return <C extends { topic: string }>(ranked: C[], terms: readonly string[], live: string | null = null): C[] =>
    required.size ? ranked.filter((c) => c.topic === live || !required.has(c.topic) || required.get(c.topic)!.some((f) => terms.includes(f))) : ranked;
}

/**
 * A first question that names a value marked `inScope` (实名, 身份证) and reads as off-topic by at
 * most `margin`: its best topic, when that scores at least `above`; otherwise null.
 */
export function inScopeTopic<C extends { topic: string; score: number }>(
  lexicon: CompiledLexicon,
  ranked: readonly C[],
  hits: readonly EntityHit[],
  isTopic: (id: string) => boolean,
  limits: { margin: number; above: number },
  offTopic = 'oos',
): C | null {
  const best = ranked[0];
  if (!best || best.topic !== offTopic || !hits.some((e) => !e.nested && lexicon.entry(e.type, e.value)?.inScope)) return null;
  const topic = ranked.find((c) => isTopic(c.topic));
  return topic && topic.score >= limits.above && best.score - topic.score <= limits.margin ? topic : null;
}
