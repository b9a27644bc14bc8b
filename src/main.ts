/**
 * `npm start`: the Telegram bot when TELEGRAM_BOT_TOKEN is set, the terminal
 * chat otherwise (the embedded default).
 */
import { boot } from './boot.js';
import { runTerminalChat } from './adapters/terminal/chat.js';

const { env, engine } = boot();
if (env.TELEGRAM_BOT_TOKEN) {
  process.stderr.write(
    'realname-helper: TELEGRAM_BOT_TOKEN is set, but the Telegram adapter is not part of this version yet.\n' +
      'Unset TELEGRAM_BOT_TOKEN (or remove it from .env) to chat in the terminal.\n',
  );
  process.exit(1);
}
await runTerminalChat(engine, {
  input: process.stdin,
  output: process.stdout,
  interactive: Boolean(process.stdin.isTTY),
});
