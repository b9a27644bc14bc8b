/**
 * Environment configuration, validated at start. A bad value gives one line
 * naming the variable; secret values are never printed.
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const envSchema = z.object({
  /** Runs the Telegram bot when set; the terminal chat otherwise. */
  TELEGRAM_BOT_TOKEN: optionalString,
  /** Idle minutes before follow-up context is forgotten. */
  CONTEXT_TTL_MINUTES: z.coerce.number().positive().max(24 * 60).default(30),
  /** pino level for logs (written to stderr). */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with one line per bad variable (never its value). */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`);
  throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
}
