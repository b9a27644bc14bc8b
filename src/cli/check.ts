/**
 * `npm run check [-- <root>] [--today YYYY-MM-DD]`: lists every problem in intents/ and
 * content/ (exits 1 if any), then the warnings that do not fail it. `--today` fixes the
 * date the review check counts from.
 */
import { parseArgs } from 'node:util';
import { checkContent, HELD_OUT_FOLDS } from '../content/check.js';
import { formatProblem, PROJECT_ROOT } from '../content/load.js';

// Piped into `head` and closed early: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

const USAGE = 'usage: npm run check [-- <data root>] [--today YYYY-MM-DD]';
let args;
try {
  args = parseArgs({ allowPositionals: true, options: { today: { type: 'string' } } });
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
const today = args.values.today;
if (today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(today)) {
  process.stderr.write(`--today must be a date such as 2026-11-24\n${USAGE}\n`);
  process.exit(2);
}

const root = args.positionals[0] ?? PROJECT_ROOT;
const { problems, heldOut, warnings } = checkContent(root, today ? { today } : {});
for (const w of warnings) console.log(`warning: ${formatProblem(w)}`);
for (const p of problems) console.log(formatProblem(p));
if (heldOut) {
  const share = ((100 * heldOut.routed) / Math.max(heldOut.total, 1)).toFixed(1);
  console.log(`held-out check (${HELD_OUT_FOLDS}-fold): ${heldOut.routed}/${heldOut.total} training utterances route to their own topic (${share}%)`);
}
const reviews = warnings.filter((w) => w.message.startsWith('review due')).length;
const advice = warnings.length
  ? ` (${warnings.length} warning(s)${reviews ? `, ${reviews} review(s) due` : ''}: advice that does not fail the check)`
  : '';
console.log(problems.length ? `${problems.length} problem(s)${advice}` : `content OK: no problems${advice}`);
process.exitCode = problems.length ? 1 : 0;
