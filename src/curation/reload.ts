/**
 * Hot reload of intents/ and content/: on SIGHUP, and with CONTENT_WATCH=1
 * when a file there changes. The new engine is built beside the serving one
 * and swapped in at once; sessions live in the store and are untouched.
 *
 * An edit that `npm run check` fails on is not loaded: the old knowledge keeps
 * serving and each problem is logged as the check prints it (file:line: what
 * to fix). The held-out check (ten retrainings) is left to `npm run check`.
 *
 * Building takes one to two seconds of CPU in this thread (the engine is pure
 * and synchronous): messages arriving meanwhile wait and are then answered;
 * none is dropped. The stages yield to the event loop in between.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Counter, type Registry } from 'prom-client';
import { checkContent } from '../content/check.js';
import { formatProblem, loadContent, type KnowledgeBase } from '../content/load.js';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import type { EngineHandle } from './engine-handle.js';

export type ReloadResult = { ok: true; ms: number; topics: number } | { ok: false; ms: number; problems: string[] };

export interface ContentReloaderOptions {
  /** The folder holding intents/ and content/. */
  root: string;
  handle: EngineHandle;
  /** Builds an engine from checked content (createEngine with the process's options). */
  build(kb: KnowledgeBase): Engine;
  logger: Logger;
  registry?: Registry;
  /** Quiet time after a file change before reloading (editors write in several steps). */
  debounceMs?: number;
}

export interface ContentReloader {
  /** Reloads now; a reload asked for while one runs is done once, after it. */
  reload(reason: string): Promise<ReloadResult>;
  /** Watches intents/ and content/ (CONTENT_WATCH). */
  watch(): void;
  /** Stops watching. */
  close(): void;
}

/** Files whose change matters: YAML and Markdown, not editors' swap and backup files. */
const CONTENT_FILE_RE = /^[^.~#][^~#]*\.(ya?ml|md)$/;

export function createContentReloader(options: ContentReloaderOptions): ContentReloader {
  const { root, handle, logger } = options;
  const debounceMs = options.debounceMs ?? 300;
  const registry = options.registry;
  const reloads = ((registry?.getSingleMetric('content_reloads_total') as Counter<'result'> | undefined) ??
    new Counter({ name: 'content_reloads_total', help: 'Content reloads, by result (ok, failed)', labelNames: ['result'], registers: registry ? [registry] : [] })) as Counter<'result'>;
  let running: Promise<ReloadResult> | null = null;
  let again: { reason: string; promise: Promise<ReloadResult> } | null = null;
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;

  async function once(reason: string): Promise<ReloadResult> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    logger.info({ event: 'content_reload', reason }, 'reloading intents/ and content/');
    let result: ReloadResult;
    try {
      await yieldToLoop();
      const { problems } = checkContent(root, { heldOut: false });
      if (problems.length) {
        result = { ok: false, ms: ms(), problems: problems.map(formatProblem) };
      } else {
        await yieldToLoop();
        const kb = loadContent(root);
        await yieldToLoop();
        const engine = options.build(kb);
        handle.swap(engine);
        result = { ok: true, ms: ms(), topics: engine.topics.length };
      }
    } catch (err) {
      // A file that changed between the check and the load, or one that cannot be read.
      const problems = (err as { problems?: Parameters<typeof formatProblem>[0][] }).problems?.map(formatProblem) ?? [String((err as Error)?.message ?? err)];
      result = { ok: false, ms: ms(), problems };
    }
    reloads.inc({ result: result.ok ? 'ok' : 'failed' });
    if (result.ok) {
      logger.info({ event: 'content_reloaded', reason, ms: result.ms, topics: result.topics, generation: handle.generation }, 'content reloaded');
    } else {
      for (const p of result.problems) logger.error({ event: 'content_problem', problem: p }, p);
      logger.error(
        { event: 'content_reload_failed', reason, ms: result.ms, problems: result.problems.length },
        `content not reloaded: ${result.problems.length} problem(s); the previous content keeps serving (npm run check lists them too)`,
      );
    }
    return result;
  }

  function reload(reason: string): Promise<ReloadResult> {
    if (!running) {
      running = once(reason).finally(() => {
        running = null;
      });
      return running;
    }
    // Edits made while a reload runs may have been read too late: one more reload after it.
    if (!again) {
      const after = running.then(() => {
        again = null;
        return reload(reason);
      });
      again = { reason, promise: after };
    }
    return again.promise;
  }

  return {
    reload,
    watch() {
      for (const dir of ['intents', 'content']) {
        try {
          const w = watch(join(root, dir), (_event, file) => {
            if (file && !CONTENT_FILE_RE.test(String(file))) return;
            clearTimeout(timer);
            timer = setTimeout(() => void reload('watch'), debounceMs);
          });
          w.on('error', (err) => logger.warn({ event: 'content_watch_failed', dir, error: (err as Error).message }, 'stopped watching'));
          watchers.push(w);
        } catch (err) {
          logger.warn({ event: 'content_watch_failed', dir, error: (err as Error).message }, 'cannot watch the folder');
        }
      }
      logger.info({ event: 'content_watch', dirs: ['intents', 'content'] }, 'reloading content when a file changes');
    },
    close() {
      clearTimeout(timer);
      for (const w of watchers.splice(0)) w.close();
    },
  };
}
