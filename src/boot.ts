/**
 * Start-up shared by every entry point: environment, content, engine.
 * Errors come out as one clear line (no stack trace) and exit code 1.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnv, ConfigError, type Env } from './config/env.js';
import { loadContent, ContentError, PROJECT_ROOT } from './content/load.js';
import { createEngine, type Engine } from './engine/engine.js';

export interface Booted {
  env: Env;
  engine: Engine;
}

/** Reads `.env` (if present) into process.env without overriding what is already set. */
export function loadDotEnv(dir: string = process.cwd()): void {
  const file = join(dir, '.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

export function boot(): Booted {
  try {
    loadDotEnv();
    const env = loadEnv();
    const engine = createEngine(loadContent(PROJECT_ROOT), { contextTtlMinutes: env.CONTEXT_TTL_MINUTES });
    return { env, engine };
  } catch (err) {
    if (err instanceof ContentError || err instanceof ConfigError) {
      process.stderr.write(`realname-helper: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
