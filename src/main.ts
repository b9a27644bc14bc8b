/**
 * `npm start`: the Telegram bot when TELEGRAM_BOT_TOKEN is set, the terminal
 * chat otherwise (the embedded default).
 */
import { boot } from './boot.js';
import { runTerminalChat } from './adapters/terminal/chat.js';
import { createLogger, describeError } from './log.js';

const { env, engine } = boot();

if (env.TELEGRAM_BOT_TOKEN) {
  const logger = createLogger(env.LOG_LEVEL);
  const { runTelegram } = await import('./adapters/telegram/run.js');
  try {
    const running = await runTelegram(env, engine, logger);
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      // Stop taking updates, finish the ones in flight, exit 0.
      running.stop(signal).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    // Never print the token: Telegraf errors name the method, not the URL.
    const error = describeError(err, [env.TELEGRAM_BOT_TOKEN, env.WEBHOOK_SECRET]);
    logger.fatal({ event: 'start_failed', error }, 'could not start the Telegram bot');
    process.stderr.write(`realname-helper: could not start the Telegram bot: ${error}\n`);
    process.exit(1);
  }
} else {
  await runTerminalChat(engine, {
    input: process.stdin,
    output: process.stdout,
    interactive: Boolean(process.stdin.isTTY),
  });
}
