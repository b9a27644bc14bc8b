/** The stored shape of a session, validated (and migrated from older versions) when read back from a shared store. */
import { migrate, type DialogueState } from '../engine/state.js';

/** The session in `json`, migrated to the current version, or undefined when it is not a valid session. */
export function parseSession(json: string | null | undefined): DialogueState | undefined {
  if (!json) return undefined;
  try {
    return migrate(JSON.parse(json));
  } catch {
    return undefined;
  }
}
