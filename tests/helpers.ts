/** Shared test helpers: the real engine, and copies of the data to break on purpose. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadContent, PROJECT_ROOT, type KnowledgeBase } from '../src/content/load.js';
import { createEngine, type Engine } from '../src/engine/engine.js';

let kb: KnowledgeBase | undefined;
let engine: Engine | undefined;

/** The real content, loaded once per test file. */
export const realKnowledge = (): KnowledgeBase => (kb ??= loadContent(PROJECT_ROOT));
/** An engine over the real content. */
export const realEngine = (): Engine => (engine ??= createEngine(realKnowledge()));

/** A throwaway copy of intents/ and content/ to edit; returns its root and a cleanup. */
export function copyOfData(): { root: string; edit: (file: string, change: (text: string) => string) => void; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'realname-data-'));
  for (const dir of ['intents', 'content']) cpSync(join(PROJECT_ROOT, dir), join(root, dir), { recursive: true });
  return {
    root,
    edit: (file, change) => writeFileSync(join(root, file), change(readFileSync(join(root, file), 'utf8'))),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
