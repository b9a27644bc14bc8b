/**
 * Conversation scripts (tests/conversations/**.yaml): whole conversations run
 * through the engine turn by turn, each turn with what a careful person would
 * answer. Used by the test suite (every turn asserted) and `npm run eval`.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Engine } from '../engine/engine.js';

export const TURN_TAGS = ['first', 'facet', 'detail', 'ellipsis', 'correction', 'pronoun', 'switch', 'oos', 'choice', 'smalltalk', 'reject'] as const;

const turnSchema = z.strictObject({
  say: z.string(),
  /** Minutes since the previous turn (to test expiry); 1 by default. */
  after_minutes: z.number().optional(),
  tags: z.array(z.enum(TURN_TAGS)).optional(),
  expect: z.strictObject({
    kind: z.enum(['answer', 'followup', 'clarify', 'fallback', 'smalltalk', 'refusal']),
    topic: z.string().nullable().optional(),
    facet: z.string().nullable().optional(),
  }),
  /** A reviewed known failure: why the bot gets this turn wrong today. The test checks it still fails. */
  known_failure: z.string().min(10).optional(),
});
const conversationSchema = z.strictObject({ name: z.string(), turns: z.array(turnSchema).min(2) });
const fileSchema = z.union([conversationSchema, z.strictObject({ conversations: z.array(conversationSchema).min(1) })]);

export type ScriptTurn = z.infer<typeof turnSchema>;
export interface Conversation {
  file: string;
  name: string;
  turns: ScriptTurn[];
}

export interface TurnOutcome {
  file: string;
  conversation: string;
  turn: number;
  say: string;
  tags: readonly string[];
  /** Kind and topic as expected (and the facet, when one is expected). */
  ok: boolean;
  /** A facet was expected, and this one was given. */
  facetExpected: boolean;
  facetOk: boolean;
  knownFailure?: string;
  got: string;
  want: string;
}

/** Every conversation under `dir` (recursively), in file order. */
export function loadConversations(dir: string): Conversation[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.yaml')) files.push(path);
    }
  };
  walk(dir);
  return files.flatMap((path) => {
    const file = relative(dir, path);
    const data = fileSchema.parse(parse(readFileSync(path, 'utf8')));
    const list = 'conversations' in data ? data.conversations : [data];
    return list.map((c) => ({ file, ...c }));
  });
}

/** Runs one conversation from a fresh state; every turn's outcome. */
export function runConversation(engine: Engine, c: Conversation): TurnOutcome[] {
  let state: unknown = null;
  let now = 1_000_000_000_000;
  return c.turns.map((turn, i) => {
    now += (turn.after_minutes ?? 1) * 60_000;
    const { reply, session } = engine.respond(state, turn.say, now);
    state = session;
    const e = turn.expect;
    const facetExpected = e.facet !== undefined && e.facet !== null;
    const facetOk = e.facet === undefined || reply.facet === e.facet;
    const ok = reply.kind === e.kind && (e.topic === undefined || reply.topic === e.topic) && facetOk;
    return {
      file: c.file,
      conversation: c.name,
      turn: i + 1,
      say: turn.say,
      tags: turn.tags ?? [],
      ok,
      facetExpected,
      facetOk: facetExpected && reply.facet === e.facet,
      ...(turn.known_failure ? { knownFailure: turn.known_failure } : {}),
      got: `${reply.kind} ${reply.topic} ${reply.facet}`,
      want: `${e.kind} ${e.topic ?? '*'} ${e.facet === undefined ? '*' : e.facet}`,
    };
  });
}

export interface ConversationReport {
  conversations: number;
  turns: number;
  right: number;
  facetTurns: number;
  facetRight: number;
  byTag: Record<string, { turns: number; right: number }>;
  outcomes: TurnOutcome[];
}

export function evaluateConversations(engine: Engine, conversations: readonly Conversation[]): ConversationReport {
  const outcomes = conversations.flatMap((c) => runConversation(engine, c));
  const byTag: ConversationReport['byTag'] = {};
  for (const o of outcomes) {
    for (const t of o.tags) {
      const s = (byTag[t] ??= { turns: 0, right: 0 });
      s.turns++;
      if (o.ok) s.right++;
    }
  }
  const facet = outcomes.filter((o) => o.facetExpected);
  return {
    conversations: conversations.length,
    turns: outcomes.length,
    right: outcomes.filter((o) => o.ok).length,
    facetTurns: facet.length,
    facetRight: facet.filter((o) => o.facetOk).length,
    byTag,
    outcomes,
  };
}
