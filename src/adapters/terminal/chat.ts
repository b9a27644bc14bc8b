/**
 * The terminal chat: the embedded default of `npm start`. Works on a TTY and
 * on piped stdin. Numbers follow the suggestions of the last reply.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Engine } from '../../engine/engine.js';
import type { Reply, Session } from '../../engine/types.js';
import { renderText, renderSuggestions } from '../../render/text.js';

export interface TerminalChatOptions {
  input: Readable;
  output: Writable;
  /** Show a prompt and hints (a TTY); plain lines otherwise. */
  interactive: boolean;
  now?: () => number;
}

const HELP = [
  '直接用中文提问,例如“微信怎么解除实名认证”;可以接着追问“要多久?”“需要什么条件?”“以后还能收红包吗?”。',
  '回复序号可以点选上一条回答下面的选项。',
  '命令:/topics 话题列表  /help 帮助  /reset 重新开始  /quit 退出(或 Ctrl-D)',
].join('\n');

/** Runs the chat until /quit or end of input. Resolves when done. */
export async function runTerminalChat(engine: Engine, options: TerminalChatOptions): Promise<void> {
  const { output, interactive } = options;
  const now = options.now ?? Date.now;
  const rl = createInterface({ input: options.input, terminal: false });
  let session: Session | null = null;
  let last = null as Reply | null;

  const print = (text: string) => output.write(text + '\n');
  const show = (reply: Reply) => {
    last = reply;
    print('\n' + renderText(reply));
    if (reply.suggestions.length) print('\n回复序号继续:\n' + renderSuggestions(reply));
    print('');
  };
  const prompt = () => {
    if (interactive) output.write('你> ');
  };

  show(engine.welcome());
  print(HELP);
  prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === '/quit' || line === '/exit') break;
    if (line === '/help') print(HELP);
    else if (line === '/reset') {
      session = null;
      last = null;
      print('好的,已经重新开始。');
    } else if (line === '/topics') show(engine.topicsMenu());
    else {
      const n = /^\d{1,2}$/.test(line) ? Number(line) : NaN;
      const suggestion = last?.suggestions[n - 1];
      // A number follows a suggestion; after a clarify the engine resolves it itself.
      const input = suggestion && last?.kind !== 'clarify' ? { topic: suggestion.topic, facet: suggestion.facet } : raw;
      const result = engine.respond(session, input, now());
      session = result.session;
      show(result.reply);
    }
    prompt();
  }
  rl.close();
  if (interactive) print('\n再见!');
}
