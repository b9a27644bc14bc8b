/**
 * The curation pieces of one process, from the environment: the engine handle,
 * the question log (QUESTION_LOG=on; Redis with REDIS_URL, files otherwise),
 * the turn recorder, and hot reload on SIGHUP (and CONTENT_WATCH).
 */
import { resolve } from 'node:path';
import type { Registry } from 'prom-client';
import type { Env } from '../config/env.js';
import { PROJECT_ROOT } from '../content/load.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { describeError, type Logger } from '../log.js';
import type { SharedRedis } from '../session/redis.js';
import { channelEngine, createEngineHandle, type EngineHandle } from './engine-handle.js';
import { FileQuestionLog, RedisQuestionLog, type QuestionLog } from './question-log.js';
import { createTurnRecorder, type TurnRecorder } from './recorder.js';
import { createContentReloader, type ContentReloader } from './reload.js';

export interface CurationOptions {
  env: Env;
  engine: Engine;
  logger: Logger;
  registry?: Registry;
  redis?: SharedRedis;
  /** Reload on SIGHUP (and watch with CONTENT_WATCH): long-running servers, not one-shot tools. */
  reload?: boolean;
  /** The folder of intents/ and content/ (default: the project). */
  root?: string;
}

export interface Curation {
  handle: EngineHandle;
  log?: QuestionLog;
  recorder: TurnRecorder;
  reloader?: ContentReloader;
  /** The engine a channel should use: the handle, with its turns recorded under `name`. */
  channel(name: string): Engine;
  /** Stops watching, writes the last counts and waits for the log. */
  close(): Promise<void>;
}

/** The question log the environment asks for, or undefined when QUESTION_LOG is off. */
export function questionLogFromEnv(env: Env, redis: SharedRedis | undefined, logger?: Logger): QuestionLog | undefined {
  if (!env.QUESTION_LOG) return undefined;
  let warned = false;
  const onError = (err: unknown) => {
    // Once per process: a full disk must not flood the logs; the bot keeps answering.
    if (warned) return;
    warned = true;
    logger?.warn({ event: 'question_log_write_failed', error: describeError(err) }, 'cannot write the question log');
  };
  const options = { days: env.QUESTION_LOG_DAYS, onError };
  return redis ? new RedisQuestionLog(redis, env.REDIS_PREFIX, options) : new FileQuestionLog(resolve(env.QUESTION_LOG_DIR), options);
}

/**
 * A Redis connection for a tool that reads or writes the question log outside a server (`ask`,
 * `review`) when REDIS_URL is set; undefined without it. Reads of a long log need a longer timeout.
 */
export async function connectLogRedis(env: Env, logger: Logger, commandTimeoutMs = 10_000): Promise<SharedRedis | undefined> {
  if (!env.REDIS_URL) return undefined;
  const { SharedRedis } = await import('../session/redis.js');
  const redis = new SharedRedis({ url: env.REDIS_URL, logger, commandTimeoutMs });
  if (!(await redis.connect())) {
    await redis.close();
    throw new Error('cannot reach Redis (REDIS_URL), where the question log is');
  }
  return redis;
}

export function createCuration(options: CurationOptions): Curation {
  const { env, logger } = options;
  const handle = createEngineHandle(options.engine);
  const log = questionLogFromEnv(env, options.redis, logger);
  const recorder = createTurnRecorder({
    ...(log ? { log } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    logBelow: env.QUESTION_LOG_BELOW,
    recentTtlMs: options.engine.contextTtlMs,
  });
  if (log) {
    logger.info({ event: 'question_log', where: log.where, days: env.QUESTION_LOG_DAYS, below: env.QUESTION_LOG_BELOW }, 'question log on (npm run review reads it)');
  }
  let reloader: ContentReloader | undefined;
  const onHangup = () => void reloader?.reload('SIGHUP');
  if (options.reload) {
    reloader = createContentReloader({
      root: options.root ?? PROJECT_ROOT,
      handle,
      build: (kb) => createEngine(kb, { contextTtlMinutes: env.CONTEXT_TTL_MINUTES }),
      logger,
      ...(options.registry ? { registry: options.registry } : {}),
    });
    process.on('SIGHUP', onHangup);
    if (env.CONTENT_WATCH) reloader.watch();
    // `npm start` runs node under tsx, which passes on SIGINT and SIGTERM only: name the process to signal.
    logger.info({ event: 'content_reload_ready', pid: process.pid, watch: env.CONTENT_WATCH }, `kill -HUP ${process.pid} reloads intents/ and content/`);
  }
  const onError = (err: unknown) => logger.warn({ event: 'record_failed', error: describeError(err) }, 'could not record a turn');
  return {
    handle,
    ...(log ? { log } : {}),
    recorder,
    ...(reloader ? { reloader } : {}),
    channel: (name) => channelEngine(handle, name, recorder, onError),
    async close() {
      process.off('SIGHUP', onHangup);
      reloader?.close();
      await recorder.close();
    },
  };
}
