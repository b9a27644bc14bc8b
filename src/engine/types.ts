/** Platform-neutral reply and session types. The design's `Reply` is a contract. */

export const FACETS = [
  'steps',
  'conditions',
  'duration',
  'materials',
  'cost',
  'consequences',
  'contact',
  'undo',
  'risks',
] as const;
export type Facet = (typeof FACETS)[number];

export type ReplyKind = 'answer' | 'followup' | 'clarify' | 'fallback' | 'smalltalk' | 'refusal';

export interface ChannelPointer {
  id: string;
  name: string;
  kind: 'phone' | 'app-path' | 'url' | 'account';
  value: string;
  url?: string;
  note?: string;
}

/** One piece of a reply. Adapters decide how each looks (HTML, terminal text, JSON). */
export type Block =
  | { type: 'paragraph'; text: string }
  | { type: 'heading'; text: string }
  | { type: 'steps'; items: string[] }
  | { type: 'list'; items: string[] }
  | { type: 'note'; text: string }
  | { type: 'warning'; text: string }
  /** `compact`: the notes were shown before in this conversation; show names and values only. */
  | { type: 'channels'; title: string; channels: ChannelPointer[]; compact?: boolean }
  /**
   * Where the answer comes from and when it was checked, after the channels. `compact`: a
   * follow-up; adapters may show the titles only. Official sources come first.
   */
  | { type: 'sources'; title: string; checkedLabel: string; checked: string; sources: Source[]; compact?: boolean };

/** How a source is known, from the fact sheet's tags. */
export const SOURCE_KINDS = ['official', 'media', 'third-party'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface Source {
  title: string;
  url: string;
  kind: SourceKind;
  /** The kind as the user reads it (官方 / 媒体 / 第三方). */
  kindLabel: string;
}

/** A button: following it is the same as typing `label` in the same context. */
export interface Suggestion {
  label: string;
  kind: 'facet' | 'topic' | 'candidate';
  topic: string;
  facet: string | null;
}

export interface Reply {
  kind: ReplyKind;
  /** Topic id answered; for clarify the best candidate; `meta.*` for small talk; null for fallback. */
  topic: string | null;
  facet: string | null;
  /** 0..1 */
  confidence: number;
  title?: string;
  blocks: Block[];
  suggestions: Suggestion[];
  /** The topic's sources, official first (also rendered as the `sources` block). */
  sources: Source[];
  /** Date the topic was last checked against the fact sheet (YYYY-MM-DD). */
  checked?: string;
}

export interface Candidate {
  topic: string;
  score: number;
}

/** Conversation state between turns (versioned; see state.ts). Plain JSON, so any store can keep it. */
export type { DialogueState as Session } from './state.js';
import type { DialogueState } from './state.js';

/** What the user sent: text, or a followed suggestion. */
export type Input = string | { topic: string; facet?: string | null };

export interface RespondResult {
  reply: Reply;
  session: DialogueState;
  /** Ranked topic candidates the matcher saw (topic ids and meta.* ids), best first. */
  candidates: Candidate[];
}
