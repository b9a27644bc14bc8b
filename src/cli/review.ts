/**
 * `npm run review`: what people asked that the bot could not answer, from the
 * question log (QUESTION_LOG_DIR, or the Redis stream with REDIS_URL): groups
 * of similar questions with their nearest topic and facet, 👍/👎 per topic,
 * the no-answer, clarify and suggestion rates. Prints a table and writes
 * review/report.html; `--json` prints the review as JSON instead of the table.
 *
 *   npm run review -- --accept <group> <topic>   the group's phrasings become training lines, then the check runs
 *   npm run review -- --ignore <group>           hides the group from later reports
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseCli } from './args.js';
import { loadDotEnv } from '../boot.js';
import { ConfigError, loadEnv } from '../config/env.js';
import { ContentError, loadContent, PROJECT_ROOT } from '../content/load.js';
import { createEngine, OUT_OF_SCOPE } from '../engine/engine.js';
import { createLogger } from '../log.js';
import { AcceptError, acceptPhrasings } from '../curation/accept.js';
import { FileQuestionLog, RedisQuestionLog, type QuestionLog } from '../curation/question-log.js';
import { renderHtml, renderTable } from '../curation/report.js';
import { buildReview, GROUP_THRESHOLD, type QuestionGroup } from '../curation/review.js';
import { connectLogRedis } from '../curation/runtime.js';

process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

const USAGE = `usage:
  npm run review                               table of the question log; writes review/report.html
  npm run review -- --json                     the review as JSON (groups, rates, feedback)
  npm run review -- --accept <group> <topic>   add the group's phrasings to intents/<topic>.yaml (oos: off-topic), then run the check
  npm run review -- --ignore <group>           hide the group from later reports
options: --out <file> (default review/report.html), --root <data folder> (default the project), --threshold <0..1>`;

const fail = (message: string, code = 1): never => {
  process.stderr.write(`review: ${message}\n`);
  process.exit(code);
};

const { values, positionals } = parseCli(
  USAGE,
  {
    json: { type: 'boolean', default: false },
    accept: { type: 'string' },
    ignore: { type: 'string' },
    out: { type: 'string' },
    root: { type: 'string' },
    threshold: { type: 'string' },
  },
  true,
);
if (values.accept && positionals.length !== 1) fail(`--accept needs a group and a topic: --accept <group> <topic>\n${USAGE}`, 2);
if (!values.accept && positionals.length) fail(`unexpected argument ${positionals[0]}\n${USAGE}`, 2);
const threshold = values.threshold === undefined ? GROUP_THRESHOLD : Number(values.threshold);
if (!(threshold > 0 && threshold <= 1)) fail('--threshold must be a number in (0, 1]', 2);

loadDotEnv();
let env;
try {
  env = loadEnv();
} catch (err) {
  fail(err instanceof ConfigError ? err.message : String(err));
}
const root = resolve(values.root ?? PROJECT_ROOT);
const logger = createLogger('warn');

// The log is read whether or not QUESTION_LOG is on now: what was logged stays reviewable.
const redis = await connectLogRedis(env!, logger).catch((err: Error) => fail(err.message));
const log: QuestionLog = redis
  ? new RedisQuestionLog(redis, env!.REDIS_PREFIX, { days: env!.QUESTION_LOG_DAYS })
  : new FileQuestionLog(resolve(env!.QUESTION_LOG_DIR), { days: env!.QUESTION_LOG_DAYS });
/** A path as a person at this prompt would type it: relative below the working folder, absolute elsewhere. */
const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};
const where = redis ? log.where : `file ${shown(resolve(env!.QUESTION_LOG_DIR))}`;

let engine;
try {
  engine = createEngine(loadContent(root), { contextTtlMinutes: env!.CONTEXT_TTL_MINUTES });
} catch (err) {
  fail(err instanceof ContentError ? err.message : String(err));
}

try {
  await log.prune();
  const [entries, ignored] = await Promise.all([log.read(), log.ignored()]);
  const review = buildReview(entries, engine!, { days: env!.QUESTION_LOG_DAYS, ignored, threshold });
  const find = (id: string): QuestionGroup =>
    [...review.groups, ...review.hidden].find((g) => g.id === id) ?? fail(`no group ${id} in the log now (run npm run review to see the groups)`);

  if (values.ignore) {
    const group = find(values.ignore);
    await log.ignore({ id: group.id, texts: group.texts.map((t) => t.text), at: Date.now(), action: 'ignore' });
    process.stdout.write(`hid ${group.id} (${group.count} question(s), e.g. ${group.texts[0]!.text}); it stays hidden while its questions are in the log\n`);
  } else if (values.accept) {
    const group = find(values.accept);
    const topic = positionals[0]!;
    if (topic !== OUT_OF_SCOPE && !engine!.topics.some((t) => t.id === topic)) fail(`no topic ${topic}; topics: ${engine!.topics.map((t) => t.id).join(', ')}, or oos for off-topic`);
    const today = new Date().toISOString().slice(0, 10);
    const result = acceptPhrasings(root, topic, group.texts.map((t) => t.text), { date: today });
    for (const s of result.skipped) process.stdout.write(`  skipped "${s.text}": ${s.why}\n`);
    if (!result.added.length) {
      process.stdout.write(`nothing added to ${result.file}\n`);
    } else {
      process.stdout.write(`added ${result.added.length} line(s) to ${result.file} under "# from review ${today}":\n`);
      for (const t of result.added) process.stdout.write(`  - ${t}\n`);
      await log.ignore({ id: group.id, texts: group.texts.map((t) => t.text), at: Date.now(), action: 'accept', topic });
      process.stdout.write('\nnpm run check:\n');
      const check = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src', 'cli', 'check.ts'), root], { cwd: PROJECT_ROOT, stdio: 'inherit' });
      process.exitCode = check.status ?? 1;
      process.stdout.write(
        check.status === 0
          ? '\nThe running bot picks the lines up on a reload: kill -HUP <pid> (or by itself with CONTENT_WATCH=1). No restart needed.\n'
          : `\nThe check fails: fix ${result.file} (or remove the lines under "# from review ${today}") before reloading; a running bot keeps its current content until the check passes.\n`,
      );
    }
  } else {
    const out = resolve(values.out ?? join(PROJECT_ROOT, 'review', 'report.html'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderHtml(review, where));
    if (values.json) {
      process.stdout.write(JSON.stringify({ where, ...review }, null, 2) + '\n');
    } else {
      process.stdout.write(renderTable(review, where) + '\n\n');
      if (!entries.length) process.stdout.write('The log is empty. Switch it on with QUESTION_LOG=on (see README: Curators).\n');
      process.stdout.write(`report: ${shown(out)}\n`);
      if (review.groups.length) process.stdout.write('accept a group: npm run review -- --accept <group> <topic>   hide one: npm run review -- --ignore <group>\n');
    }
  }
} catch (err) {
  if (err instanceof AcceptError) fail(err.message);
  throw err;
} finally {
  await log.close();
  await redis?.close();
}
