/**
 * Conversation scripts (tests/conversations/*.yaml) run through the engine.
 * Every turn is reported; at least 90% of all turns must be right.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { realEngine } from './helpers.js';
import type { Session } from '../src/engine/types.js';

const scriptSchema = z.strictObject({
  name: z.string(),
  turns: z
    .array(
      z.strictObject({
        say: z.string(),
        /** Minutes since the previous turn (to test expiry). */
        after_minutes: z.number().optional(),
        expect: z.strictObject({
          kind: z.enum(['answer', 'followup', 'clarify', 'fallback', 'smalltalk', 'refusal']),
          topic: z.string().nullable().optional(),
          facet: z.string().nullable().optional(),
        }),
      }),
    )
    .min(2),
});

const dir = join(import.meta.dirname, 'conversations');
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ file: f, ...scriptSchema.parse(parse(readFileSync(join(dir, f), 'utf8'))) }));

type Outcome = { script: string; turn: number; say: string; ok: boolean; got: string; want: string };
const outcomes: Outcome[] = [];

function run(script: (typeof scripts)[number]): Outcome[] {
  const engine = realEngine();
  let session: Session | null = null;
  let now = 1_000_000;
  return script.turns.map((turn, i) => {
    now += (turn.after_minutes ?? 1) * 60_000;
    const { reply, session: next } = engine.respond(session, turn.say, now);
    session = next;
    const e = turn.expect;
    const ok =
      reply.kind === e.kind &&
      (e.topic === undefined || reply.topic === e.topic) &&
      (e.facet === undefined || reply.facet === e.facet);
    return {
      script: script.file,
      turn: i + 1,
      say: turn.say,
      ok,
      got: `${reply.kind} ${reply.topic} ${reply.facet}`,
      want: `${e.kind} ${e.topic ?? '*'} ${e.facet === undefined ? '*' : e.facet}`,
    };
  });
}

describe('conversation scripts', () => {
  it('has scripts', () => expect(scripts.length).toBeGreaterThan(0));

  for (const script of scripts) {
    it(`${script.file}: ${script.name}`, () => {
      const result = run(script);
      outcomes.push(...result);
      const failed = result.filter((r) => !r.ok);
      // Individual scripts may miss a turn; the floor below is what must hold.
      if (failed.length) console.log(failed.map((f) => `${f.script}#${f.turn} "${f.say}": got ${f.got}, want ${f.want}`).join('\n'));
      expect(result.length).toBe(script.turns.length);
    });
  }

  it('gets at least 90% of all turns right', () => {
    const all = outcomes.length ? outcomes : scripts.flatMap(run);
    const right = all.filter((o) => o.ok).length;
    expect(right / all.length).toBeGreaterThanOrEqual(0.9);
  });
});
