/**
 * Environment configuration, validated at start. A bad value gives one line
 * naming the variable; values are never printed (the token is a secret).
 */
import { z } from 'zod';

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s === undefined || s === '' ? undefined : s));

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envSchema = z
  .object({
    /** Runs the Telegram bot when set; the terminal chat otherwise. */
    TELEGRAM_BOT_TOKEN: optionalString.refine((t) => t === undefined || /^\d+:[\w-]{20,}$/.test(t), {
      message: 'does not look like a bot token from @BotFather (digits:letters)',
    }),
    /** Another Bot API server (a local emulator in tests, or a self-hosted server). */
    TELEGRAM_API_ROOT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    BOT_MODE: z.enum(['polling', 'webhook']).default('polling'),
    /** Public HTTPS URL Telegram posts updates to, in webhook mode. */
    WEBHOOK_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    /** Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -). */
    WEBHOOK_SECRET: optionalString.refine((s) => s === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(s), {
      message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
    }),
    /** Port of the webhook server. */
    PORT: z.coerce.number().int().min(1).max(65535).default(8080),
    /** Address the webhook server listens on. */
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    /** Drop updates that queued up while the bot was down (setWebhook / polling start). */
    DROP_PENDING_UPDATES: flag,
    /** Idle minutes before follow-up context is forgotten. */
    CONTEXT_TTL_MINUTES: z.coerce.number().positive().max(24 * 60).default(30),
    /** Sessions kept in memory at most (least recently used go first). */
    SESSION_MAX_ENTRIES: z.coerce.number().int().positive().default(100_000),
    /** Shared state for several instances (sessions, flood counters, seen updates); memory when empty. */
    REDIS_URL: optionalString.pipe(z.url({ protocol: /^rediss?$/ }).optional()),
    /** A Redis command slower than this counts as failed (the bot answers without context). */
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(200),
    /** Prefix of every Redis key, so several bots can share one Redis. */
    REDIS_PREFIX: z.string().trim().min(1).max(50).default('rh:'),
    /** Flood control: more than this many messages ... */
    FLOOD_MAX_MESSAGES: z.coerce.number().int().positive().default(20),
    /** ... in this many seconds from one chat get one "slow down" reply, then silence until the window passes. */
    FLOOD_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
    /** pino level for logs (written to stderr). */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.BOT_MODE !== 'webhook') return;
    if (!env.WEBHOOK_URL) ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: 'is required when BOT_MODE=webhook' });
    if (!env.WEBHOOK_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRET'], message: 'is required when BOT_MODE=webhook (the bot refuses to run an open webhook)' });
    }
    if (!env.TELEGRAM_BOT_TOKEN) ctx.addIssue({ code: 'custom', path: ['TELEGRAM_BOT_TOKEN'], message: 'is required when BOT_MODE=webhook' });
  });
export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with one line per bad variable (never its value). */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.join('.') || 'environment'} ${i.message}`);
  throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
}
