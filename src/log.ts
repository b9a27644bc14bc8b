/**
 * JSON logs (pino) on stderr. Never pass message text, tokens or secrets to a
 * logger: log ids, kinds and timings. Chat and user ids are hashed with a key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';

export type { Logger };

/** The first logger of a process that logs at info says whether ids are hashed with LOG_HASH_KEY. */
let keyNoticeGiven = false;

/**
 * A pino logger writing JSON lines to `destination`. The first one of a process that logs at
 * `info` notes (once) when LOG_HASH_KEY is unset; create it after `.env` is read (boot()).
 */
export function createLogger(level: string = 'info', destination: NodeJS.WritableStream = process.stderr): Logger {
  const logger = pino(
    {
      level,
      base: { app: 'realname-helper' },
      // Belt and braces: these fields must never be logged, and are removed if they ever are.
      redact: {
        paths: ['token', 'secret', 'text', 'message.text', '*.text', 'headers["x-telegram-bot-api-secret-token"]'],
        remove: true,
      },
    },
    destination,
  );
  if (!keyNoticeGiven && logger.isLevelEnabled('info')) {
    keyNoticeGiven = true;
    if (logHashKey().random) {
      logger.info(
        { event: 'log_hash_key', keyed: false },
        'LOG_HASH_KEY is not set: ids in logs are hashed with a random key made for this process, so they change on restart and differ between instances',
      );
    }
  }
  return logger;
}

interface HashKey {
  key: string | Buffer;
  /** No LOG_HASH_KEY: a random key, made once per process. */
  random: boolean;
}
let hashKey: HashKey | undefined;

/** The key of hashId(): LOG_HASH_KEY, read on first use, or a random one for this process. */
function logHashKey(): HashKey {
  return (hashKey ??= keyFrom(process.env.LOG_HASH_KEY));
}

const keyFrom = (key: string | undefined): HashKey =>
  key?.trim() ? { key: key.trim(), random: false } : { key: randomBytes(32), random: true };

/** True when ids are hashed with LOG_HASH_KEY; false with a random per-process key (texts that describe the logs). */
export const logHashKeyed = (): boolean => !logHashKey().random;

/**
 * Sets the key hashId() uses from now on (tests; a process reads LOG_HASH_KEY by itself).
 * Without a key, a new random one.
 */
export function configureLogHashKey(key?: string): void {
  hashKey = keyFrom(key);
}

/**
 * A chat or user id as it appears in logs: HMAC-SHA-256 with LOG_HASH_KEY (12 hex digits).
 * Keyed, so ids cannot be recovered by hashing every possible id; without a key the hashes
 * do not correlate across restarts or instances.
 */
export const hashId = (id: number | string): string => createHmac('sha256', logHashKey().key).update(String(id)).digest('hex').slice(0, 12);

/** Removes secrets (bot token, webhook secret) from an error message before it is logged or printed. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out.replace(/\/bot\d+:[\w-]+/g, '/bot***');
}

/** An error as a short loggable string, secrets removed. */
export const describeError = (err: unknown, secrets: readonly (string | undefined)[] = []): string =>
  scrub(err instanceof Error ? `${err.name}: ${err.message}` : String(err), secrets);
