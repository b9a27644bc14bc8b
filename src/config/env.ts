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
    /** Key of the HMAC that hashes chat, user and OpenIDs in logs; a random per-process key when empty. */
    LOG_HASH_KEY: optionalString.refine((k) => k === undefined || k.length >= 16, { message: 'must be at least 16 characters' }),
    /** Serves the web chat on this port (beside any other channel); `npm run web` uses PORT instead. */
    WEB_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** Sites allowed to embed the web chat in a frame (CSP frame-ancestors); none when empty. */
    WEB_FRAME_ANCESTORS: optionalString,
    /** Public URL of the web chat (the WeChat menu links to it). */
    WEB_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    /** WeChat Official Account: the token set in the 公众号 console. Runs the WeChat endpoint when set. */
    WECHAT_TOKEN: optionalString.refine((t) => t === undefined || /^[A-Za-z0-9]{3,32}$/.test(t), {
      message: 'must be 3-32 letters or digits (as in the 公众号 console)',
    }),
    WECHAT_APPID: optionalString.refine((t) => t === undefined || /^wx[0-9a-f]{16}$/i.test(t), { message: 'must look like wx followed by 16 hex digits' }),
    /** Security mode: the 43-character EncodingAESKey; the previous one is accepted during a rotation. */
    WECHAT_ENCODING_AES_KEY: optionalString.refine((k) => k === undefined || /^[A-Za-z0-9]{43}$/.test(k), { message: 'must be 43 letters or digits' }),
    WECHAT_ENCODING_AES_KEY_PREVIOUS: optionalString.refine((k) => k === undefined || /^[A-Za-z0-9]{43}$/.test(k), {
      message: 'must be 43 letters or digits',
    }),
    /** Only for `npm run wechat:menu`. */
    WECHAT_APPSECRET: optionalString,
    WECHAT_PATH: z.string().trim().regex(/^\/[\w\-/]*$/, 'must be a path such as /wechat').default('/wechat'),
    /** Another WeChat API server (a stub in tests). */
    WECHAT_API_ROOT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    /** Curators' question log (src/curation/question-log.ts): off unless `on`. */
    QUESTION_LOG: z
      .enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no', ''])
      .optional()
      .transform((v) => v === 'on' || v === 'true' || v === '1' || v === 'yes'),
    /** Folder of the log's daily files (without REDIS_URL). */
    QUESTION_LOG_DIR: z.string().trim().min(1).default('./question-log'),
    /** Days an entry of the question log is kept. */
    QUESTION_LOG_DAYS: z.coerce.number().int().min(1).max(366).default(30),
    /** An answer with a confidence under this is logged for review too. */
    QUESTION_LOG_BELOW: z.coerce.number().min(0).max(1).default(0.5),
    /** Reload intents/ and content/ when a file there changes (SIGHUP always reloads). */
    CONTENT_WATCH: flag,
    /** pino level for logs (written to stderr). */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.WECHAT_ENCODING_AES_KEY && !env.WECHAT_APPID) {
      ctx.addIssue({ code: 'custom', path: ['WECHAT_APPID'], message: 'is required with WECHAT_ENCODING_AES_KEY (it is checked in every decrypted message)' });
    }
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
