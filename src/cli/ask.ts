/**
 * `npm run --silent ask -- "问题"`: one answer as text.
 * `npm run --silent ask -- --json [--conversation]`: one JSON line per stdin line.
 * Only the answers go to stdout.
 */
import { createInterface } from 'node:readline';
import { boot } from '../boot.js';
import { parseCli } from './args.js';
import { renderText } from '../render/text.js';
import type { Session } from '../engine/types.js';
import { connectLogRedis, createCuration } from '../curation/runtime.js';
import { createLogger } from '../log.js';

// Piped into `head` and closed early: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));

const USAGE = `usage:
  npm run --silent ask -- "微信怎么解除实名认证"        one answer, as text
  npm run --silent ask -- --json < questions.txt       one JSON line per input line (each a new conversation)
  npm run --silent ask -- --json --conversation < f    the lines are turns of one conversation`;

const args = parseCli(
  USAGE,
  {
    json: { type: 'boolean', default: false },
    conversation: { type: 'boolean', default: false },
  },
  true,
);

const booted = boot();
// With QUESTION_LOG=on, questions asked here are logged for `npm run review` like any channel's.
const logger = createLogger(booted.env.LOG_LEVEL === 'info' ? 'warn' : booted.env.LOG_LEVEL);
const redis = booted.env.QUESTION_LOG
  ? await connectLogRedis(booted.env, logger).catch((err: Error) => {
      process.stderr.write(`realname-helper: ${err.message}\n`);
      process.exit(1);
    })
  : undefined;
const curation = createCuration({ env: booted.env, engine: booted.engine, logger, ...(redis ? { redis } : {}) });
const engine = curation.channel('ask');

if (args.values.json) {
  let session: Session | null = null;
  const lines = args.positionals.length ? args.positionals : createInterface({ input: process.stdin, terminal: false });
  for await (const text of lines) {
    const result = engine.respond(args.values.conversation ? session : null, text);
    session = result.session;
    const { reply } = result;
    process.stdout.write(
      JSON.stringify({
        text,
        kind: reply.kind,
        topic: reply.topic,
        facet: reply.facet,
        confidence: reply.confidence,
        candidates: result.candidates.slice(0, 3),
        reply: renderText(reply),
      }) + '\n',
    );
  }
} else {
  const question = args.positionals.join(' ');
  if (!question.trim()) {
    process.stderr.write(USAGE + '\n');
    process.exit(2);
  }
  process.stdout.write(renderText(engine.respond(null, question).reply) + '\n');
}
await curation.close();
await redis?.close();
