/**
 * `npm run check`: lists every problem in intents/ and content/, exits 1 if any.
 */
import { checkContent, HELD_OUT_FOLDS } from '../content/check.js';
import { formatProblem, PROJECT_ROOT } from '../content/load.js';

// Piped into `head` and closed early: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

const root = process.argv[2] ?? PROJECT_ROOT;
const { problems, heldOut, warnings } = checkContent(root);
for (const w of warnings) console.log(`warning: ${formatProblem(w)}`);
for (const p of problems) console.log(formatProblem(p));
if (heldOut) {
  const share = ((100 * heldOut.routed) / Math.max(heldOut.total, 1)).toFixed(1);
  console.log(`held-out check (${HELD_OUT_FOLDS}-fold): ${heldOut.routed}/${heldOut.total} training utterances route to their own topic (${share}%)`);
}
const advice = warnings.length ? ` (${warnings.length} warning(s): lines the matcher learns weakly; more varied lines help)` : '';
console.log(problems.length ? `${problems.length} problem(s)${advice}` : `content OK: no problems${advice}`);
process.exitCode = problems.length ? 1 : 0;
