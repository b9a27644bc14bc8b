/**
 * Dialogue state between turns, versioned like grammY's enhanced storage:
 * a store may hold state written by an older release, and `migrate()` turns
 * it into the current shape instead of silently resetting a live
 * conversation. No message text is ever kept here.
 */
import { z } from 'zod';
import { FACETS, type Facet } from './types.js';

export const STATE_VERSION = 2;

/** What the last answer was about: follow-ups are read against it. */
export interface Frame {
  topic: string;
  /** The facet the last answer showed (null: the topic's default answer). */
  facet: Facet | null;
  /** Lexicon entities of the question it answered ({platform: 'jd', action: 'unbind'}). */
  entities: Record<string, string>;
}

/** A numbered choice the bot offered ("1", "第二个" or its name picks it). */
export interface OfferItem {
  topic: string;
  facet: Facet | null;
}

export interface DialogueState {
  v: typeof STATE_VERSION;
  frame: Frame | null;
  /** Facets of the frame's topic already shown. */
  shown: Facet[];
  /** Candidates of the last clarify or fallback, in order. */
  offer: OfferItem[];
  /** The offer asks "which of these do you mean?" (a clarify), not a list of topics to try. */
  clarified?: true;
  /** Runner-up topics of the last answer, offered on "不是这个". */
  alternatives: string[];
  /**
   * The topic a message the bot could not place leaned to (a fallback, weakly this topic's words). A
   * second such message leaning the same way is answered with it. A topic id, never text.
   */
  lean?: string;
  /** The script the user writes in; replies (also to pressed buttons) follow it. */
  script?: 'traditional';
  /** Epoch milliseconds of the last turn; 0 for a new conversation. */
  lastTurnAt: number;
}

export const initialState = (): DialogueState => ({ v: STATE_VERSION, frame: null, shown: [], offer: [], alternatives: [], lastTurnAt: 0 });

const id = z.string().max(100);
const facet = z.enum(FACETS);
const stateSchema = z.strictObject({
  v: z.literal(STATE_VERSION),
  frame: z
    // (`inferred`, written by releases of 2026-12-02 and 2026-12-03, is still read and dropped.)
    .strictObject({ topic: id, facet: facet.nullable(), entities: z.record(z.string().max(30), z.string().max(30)), inferred: z.literal(true).optional() })
    .transform(({ inferred: _, ...frame }) => frame)
    .nullable(),
  shown: z.array(facet).max(20),
  offer: z.array(z.strictObject({ topic: id, facet: facet.nullable() })).max(20),
  clarified: z.literal(true).optional(),
  alternatives: z.array(id).max(20),
  lean: id.optional(),
  script: z.literal('traditional').optional(),
  lastTurnAt: z.number().finite().nonnegative(),
});

/** Version 1 (before 2026-12): no `v`, the topic and its shown facets flat, pending candidates as ids. */
const v1Schema = z.strictObject({
  topic: id.nullable(),
  facetsShown: z.array(z.string().max(50)).max(50),
  pending: z.array(id).max(20),
  alternatives: z.array(id).max(20),
  lastTurnAt: z.number().finite().nonnegative(),
  script: z.enum(['simplified', 'traditional']).optional(),
});

const isFacet = (f: string): f is Facet => (FACETS as readonly string[]).includes(f);

/** Any stored state, of this version or an older one, in the current shape; undefined when it is neither. */
export function migrate(stored: unknown): DialogueState | undefined {
  const current = stateSchema.safeParse(stored);
  if (current.success) return current.data as DialogueState;
  const v1 = v1Schema.safeParse(stored);
  if (!v1.success) return undefined;
  const old = v1.data;
  return {
    v: STATE_VERSION,
    frame: old.topic ? { topic: old.topic, facet: null, entities: {} } : null,
    shown: old.facetsShown.filter(isFacet),
    offer: old.pending.map((topic) => ({ topic, facet: null })),
    alternatives: old.alternatives,
    ...(old.script === 'traditional' ? { script: 'traditional' as const } : {}),
    lastTurnAt: old.lastTurnAt,
  };
}
