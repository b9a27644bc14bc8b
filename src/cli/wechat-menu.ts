/**
 * `npm run wechat:menu`: creates the Official Account's custom menu (the main
 * topics as `click` buttons, the web chat as a `view` link when WEB_URL is
 * set). Needs WECHAT_APPID and WECHAT_APPSECRET. `--dry-run` prints the menu
 * without calling WeChat. Errors are one line on stderr, exit code 1.
 */
import { boot } from '../boot.js';
import { parseCli } from './args.js';
import { scrub } from '../log.js';
import { buildMenu, DEFAULT_API_ROOT, WechatApi, WechatApiError, type Menu } from '../adapters/wechat/menu.js';

const USAGE = `usage:
  npm run wechat:menu               create the menu (needs WECHAT_APPID and WECHAT_APPSECRET)
  npm run wechat:menu -- --dry-run  print the menu as JSON, call nothing`;

const args = parseCli(USAGE, { 'dry-run': { type: 'boolean', default: false } });

const { env, engine } = boot();
const menu = buildMenu(engine, env.WEB_URL ? { webUrl: env.WEB_URL } : {});

const describe = (m: Menu) =>
  m.button
    .map((b) => (b.sub_button ? `${b.name}: ${b.sub_button.map((s) => s.name).join(' | ')}` : `${b.name} (${b.type === 'view' ? b.url : b.key})`))
    .join('\n  ');

if (args.values['dry-run']) {
  process.stdout.write(JSON.stringify(menu, null, 2) + '\n');
  process.exit(0);
}

const fail = (message: string): never => {
  process.stderr.write(`realname-helper: wechat:menu: ${scrub(message, [env.WECHAT_APPSECRET])}\n`);
  process.exit(1);
};
if (!env.WECHAT_APPID) fail('WECHAT_APPID is required (the AppID of the 公众号 or test account)');
if (!env.WECHAT_APPSECRET) fail('WECHAT_APPSECRET is required (公众号 console: 设置与开发 > 基本配置 / the test account page)');

const api = new WechatApi({ appId: env.WECHAT_APPID!, secret: env.WECHAT_APPSECRET!, apiRoot: env.WECHAT_API_ROOT ?? DEFAULT_API_ROOT });
try {
  await api.createMenu(menu);
  process.stdout.write(`menu created:\n  ${describe(menu)}\nWeChat shows it to a follower the next time they open the chat (clients refresh it after about 5 minutes).\n`);
} catch (err) {
  if (err instanceof WechatApiError) fail(err.message);
  const { code, message } = (err as { cause?: { code?: string; message?: string } })?.cause ?? {};
  const cause = code ?? message;
  fail(`could not reach the WeChat API (${env.WECHAT_API_ROOT ?? DEFAULT_API_ROOT}): ${(err as Error)?.message ?? String(err)}${cause ? ` (${cause})` : ''}`);
}
