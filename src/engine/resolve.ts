/**
 * Reading a turn against the conversation so far: an elliptical turn ("那微信的呢")
 * keeps the last answer's frame with the slots it names replaced; entity routes
 * ("微博号怎么注销" names another platform only) come from the lexicon.
 */
import type { CompiledLexicon, EntityHit } from '../nlu/lexicon.js';
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
  const byType = new Map<string, string[]>();
  const pairs = Array.isArray(entities)
    ? (entities as readonly EntityHit[]).map((h) => [h.type, h.value] as const)
    : Object.entries(entities as Record<string, string>);
  for (const [type, value] of pairs) byType.set(type, [...(byType.get(type) ?? []), value]);
  if (byType.size < 2) return null;
  for (const [type, values] of byType) {
    const routes = new Set(values.map((v) => lexicon.entry(type, v)?.route ?? ''));
    if (routes.size === 1 && !routes.has('')) return [...routes][0]!;
  }
  return null;
}

/** A text standing for entities (their first Han form), to be ranked with the turn's own words. */
export function entityText(lexicon: CompiledLexicon, entities: Record<string, string>): string {
  return lexicon.types
    .map((type) => (entities[type] ? lexicon.surface(type, entities[type]!) : undefined))
    .filter(Boolean)
    .join(' ');
}
