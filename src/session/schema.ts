/** The stored shape of a Session, validated when read back from a shared store. */
import { z } from 'zod';
import type { Session } from '../engine/types.js';

export const sessionSchema = z.strictObject({
  topic: z.string().max(100).nullable(),
  facetsShown: z.array(z.string().max(50)).max(50),
  pending: z.array(z.string().max(100)).max(20),
  alternatives: z.array(z.string().max(100)).max(20),
  lastTurnAt: z.number().finite().nonnegative(),
  script: z.enum(['simplified', 'traditional']).optional(),
}) satisfies z.ZodType<Session>;

/** The session in `json`, or undefined when it is not a valid session. */
export function parseSession(json: string | null | undefined): Session | undefined {
  if (!json) return undefined;
  try {
    const result = sessionSchema.safeParse(JSON.parse(json));
    return result.success ? (result.data as Session) : undefined;
  } catch {
    return undefined;
  }
}
