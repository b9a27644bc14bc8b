/**
 * `npm run review -- --accept <group> <topic>`: a group's phrasings become
 * training utterances of a topic (or of `oos`, the off-topic lines that teach
 * the fallback). The lines are inserted at the end of the file's
 * `utterances:` list under a `# from review <date>` comment; nothing else in
 * the file changes, so its comments and layout stay as the curator wrote them.
 *
 * A phrasing is left out when it is already a line of any intents file, or
 * when it is one of the held-out phrasings that measure accuracy (they must
 * stay unseen by training; see docs/curating.md).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { formatProblem, PROJECT_ROOT, readContent } from '../content/load.js';
import { OUT_OF_SCOPE } from '../engine/engine.js';
import { normalize } from '../nlu/normalize.js';

export class AcceptError extends Error {
  override name = 'AcceptError';
}

export interface AcceptResult {
  /** The intents file written (relative to the root). */
  file: string;
  added: string[];
  skipped: { text: string; why: string }[];
}

/** How the content check compares utterances: normalised, without spaces. */
const keyOf = (text: string) => normalize(text).replace(/\s+/g, '');

/** The intents file of a topic id, or of `oos`. */
export const intentsFileOf = (topic: string): string => (topic === OUT_OF_SCOPE ? 'intents/_off-topic.yaml' : `intents/${topic}.yaml`);

/** Held-out phrasings (tests/fixtures/held-out/) and the shared evaluation set, as keys. */
function heldOutKeys(roots: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const root of new Set(roots)) {
    const dir = join(root, 'tests', 'fixtures', 'held-out');
    if (existsSync(dir)) {
      for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
        try {
          const data = parseYaml(readFileSync(join(dir, f), 'utf8')) as { phrasings?: unknown };
          if (Array.isArray(data?.phrasings)) for (const p of data.phrasings) if (typeof p === 'string') keys.add(keyOf(p));
        } catch {
          // a broken fixture is the tests' business
        }
      }
    }
    const dev = join(dirname(root), 'shared', 'eval', 'dev-real.jsonl');
    if (existsSync(dev)) {
      for (const line of readFileSync(dev, 'utf8').split('\n')) {
        try {
          const text = (JSON.parse(line) as { text?: unknown }).text;
          if (typeof text === 'string') keys.add(keyOf(text));
        } catch {
          // blank or foreign line
        }
      }
    }
  }
  return keys;
}

/** A YAML flow-free scalar for a list item: plain when it reads back as the same string, else double-quoted. */
export function yamlItem(text: string): string {
  try {
    if (!/^\s|\s$|#|:/.test(text) && isDeepStrictEqual(parseYaml(`- ${text}`), [text])) return text;
  } catch {
    // not plain-safe
  }
  return JSON.stringify(text);
}

/**
 * `source` with `items` appended to its block list `utterances:`, under a comment line. Throws
 * AcceptError when the file has no such block list (the curator adds the lines by hand then).
 */
export function appendToUtterances(source: string, items: readonly string[], comment: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => /^utterances:\s*(#.*)?$/.test(l));
  if (start < 0) throw new AcceptError('no block list "utterances:" in the file; add the lines by hand');
  let last = start;
  let indent: string | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    // The block ends at the next top-level key or comment.
    if (!/^[\s-]/.test(line)) break;
    last = i;
    const item = /^(\s*)- /.exec(line);
    if (item && indent === undefined) indent = item[1]!;
  }
  const pre = indent ?? '  ';
  const added = [`${pre}# ${comment}`, ...items.map((t) => `${pre}- ${yamlItem(t)}`)];
  return [...lines.slice(0, last + 1), ...added, ...lines.slice(last + 1)].join('\n');
}

/** Appends `texts` to the topic's training utterances under `root` (see the module comment). */
export function acceptPhrasings(root: string, topic: string, texts: readonly string[], options: { date: string }): AcceptResult {
  const file = intentsFileOf(topic);
  const path = join(root, file);
  if (!existsSync(path) || topic.startsWith('_') || topic.includes('/')) throw new AcceptError(`no topic "${topic}": ${file} does not exist (use a topic id, or oos for off-topic)`);
  const { kb, problems } = readContent(root);
  if (!kb) throw new AcceptError(`the content does not load; fix it first:\n${problems.map((p) => '  ' + formatProblem(p)).join('\n')}`);
  const known = new Map<string, string>();
  const add = (owner: string, list: readonly string[]) => list.forEach((u) => known.has(keyOf(u)) || known.set(keyOf(u), owner));
  for (const t of kb.topics) add(intentsFileOf(t.id), [...t.utterances, ...t.refusals]);
  // A follow-up example may not also be a first question (npm run check fails on it).
  for (const t of kb.topics) add(`${intentsFileOf(t.id)} (followups)`, Object.values(t.followups).flat());
  for (const s of kb.smalltalk) add('intents/_smalltalk.yaml', s.utterances);
  for (const f of kb.facets) add('intents/_facets.yaml', f.utterances);
  add('intents/_off-topic.yaml', kb.offTopic);
  const heldOut = heldOutKeys([root, PROJECT_ROOT]);

  const added: string[] = [];
  const skipped: AcceptResult['skipped'] = [];
  const seen = new Set<string>();
  for (const text of texts) {
    const key = keyOf(text);
    if (!key) skipped.push({ text, why: 'nothing left after normalising' });
    else if (seen.has(key)) skipped.push({ text, why: 'the same as another phrasing of the group' });
    else if (known.has(key)) skipped.push({ text, why: `already in ${known.get(key)}` });
    else if (heldOut.has(key)) skipped.push({ text, why: 'a held-out phrasing (kept out of training to measure accuracy)' });
    else added.push(text);
    seen.add(key);
  }
  if (!added.length) return { file, added, skipped };

  const before = readFileSync(path, 'utf8');
  const after = appendToUtterances(before, added, `from review ${options.date}`);
  // The file must read back as the same data with exactly these lines added.
  const was = parseYaml(before) as { utterances?: unknown[] };
  const now = parseYaml(after) as { utterances?: unknown[] };
  if (!isDeepStrictEqual(now, { ...was, utterances: [...(was.utterances ?? []), ...added] })) {
    throw new AcceptError(`could not append to ${file} safely; add the lines by hand`);
  }
  writeFileSync(path, after);
  return { file, added, skipped };
}
