/**
 * `npm run check`: lists every problem in intents/ and content/, exits 1 if any.
 */
import { checkContent, HELD_OUT_FOLDS } from '../content/check.js';
import { formatProblem, PROJECT_ROOT } from '../content/load.js';

// Piped into `head` and closed early: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

const root = process.argv[2] ?? PROJECT_ROOT;
const { problems, leaveOneOut } = checkContent(root);
for (const p of problems) console.log(formatProblem(p));
if (leaveOneOut) {
  const share = ((100 * leaveOneOut.routed) / Math.max(leaveOneOut.total, 1)).toFixed(1);
  console.log(`held-out check (${HELD_OUT_FOLDS}-fold): ${leaveOneOut.routed}/${leaveOneOut.total} training utterances route to their own topic (${share}%)`);
}
console.log(problems.length ? `${problems.length} problem(s)` : 'content OK: no problems');
process.exitCode = problems.length ? 1 : 0;
