/**
 * JSON logs (pino) on stderr. Never pass message text, tokens or secrets to a
 * logger: log ids, kinds and timings. Chat and user ids are hashed.
 */
import { createHash } from 'node:crypto';
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
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
}

/** A stable, non-reversible id for a chat or user in logs. */
export const hashId = (id: number | string): string => createHash('sha256').update(`realname-helper:${id}`).digest('hex').slice(0, 12);

/** Removes secrets (bot token, webhook secret) from an error message before it is logged or printed. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out.replace(/\/bot\d+:[\w-]+/g, '/bot***');
}

/** An error as a short loggable string, secrets removed. */
export const describeError = (err: unknown, secrets: readonly (string | undefined)[] = []): string =>
  scrub(err instanceof Error ? `${err.name}: ${err.message}` : String(err), secrets);
