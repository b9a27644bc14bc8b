/**
 * The Official Account's custom menu: built from the engine's main topics,
 * created through the menu API with an access token from `stable_token`.
 * https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu
 * https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
 */
import type { Engine } from '../../engine/engine.js';
import { byteLength } from './render.js';
import { menuKey } from './conversation.js';

export const DEFAULT_API_ROOT = 'https://api.weixin.qq.com';

/** Limits of the menu API: 3 top-level buttons of at most 5 each; names in UTF-8 bytes. */
export const MENU_LIMITS = { top: 3, sub: 5, topNameBytes: 16, subNameBytes: 60, keyBytes: 128, urlBytes: 1024 } as const;

/** Names of the menu's own buttons (topic names come from the content). */
export const MENU_LABELS = { main: '常见问题', more: '更多问题', web: '网页版' } as const;

export interface MenuButton {
  type?: 'click' | 'view';
  name: string;
  key?: string;
  url?: string;
  sub_button?: MenuButton[];
}

export interface Menu {
  button: MenuButton[];
}

/** `text` cut to at most `max` bytes of UTF-8, at a character boundary. */
export function fitBytes(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/**
 * The menu: `click` buttons for the main topics (the welcome's suggestions),
 * five per group, and a `view` button to the web chat when `webUrl` is set.
 */
export function buildMenu(engine: Engine, options: { webUrl?: string } = {}): Menu {
  const topics: { name: string; key: string }[] = [];
  for (const s of engine.welcome().suggestions) {
    const key = menuKey(s.topic, s.facet);
    if (topics.some((t) => t.key === key) || byteLength(key) > MENU_LIMITS.keyBytes) continue;
    topics.push({ name: s.label, key });
  }
  const web = options.webUrl && byteLength(options.webUrl) <= MENU_LIMITS.urlBytes ? options.webUrl : undefined;
  const groups = MENU_LIMITS.top - (web ? 1 : 0);
  const button: MenuButton[] = [];
  for (let g = 0; g < groups && g * MENU_LIMITS.sub < topics.length; g++) {
    const group = topics.slice(g * MENU_LIMITS.sub, (g + 1) * MENU_LIMITS.sub);
    const only = group.length === 1 ? group[0]! : null;
    // A group of one is a top-level button itself when its name fits there.
    if (only && byteLength(only.name) <= MENU_LIMITS.topNameBytes) button.push({ type: 'click', name: only.name, key: only.key });
    else {
      button.push({
        name: g === 0 ? MENU_LABELS.main : MENU_LABELS.more,
        sub_button: group.map((t) => ({ type: 'click', name: fitBytes(t.name, MENU_LIMITS.subNameBytes), key: t.key })),
      });
    }
  }
  if (web) button.push({ type: 'view', name: MENU_LABELS.web, url: web });
  return { button };
}

/** An error answer of the WeChat API (`errcode` ≠ 0), with a hint for the common ones. */
export class WechatApiError extends Error {
  override name = 'WechatApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly hint: string | undefined,
  ) {
    super(`WeChat API error ${errcode} (${errmsg})${hint ? `: ${hint}` : ''}`);
  }
}

/** What to do about the errors an operator meets. */
export const ERROR_HINTS: Record<number, string> = {
  [-1]: 'WeChat says the system is busy; try again in a minute',
  40001: 'the access token was refused; check WECHAT_APPSECRET, then run again',
  40013: 'WECHAT_APPID is not a valid AppID',
  40125: 'WECHAT_APPSECRET is not the AppSecret of this AppID (reset it in the 公众号 console if unsure)',
  40164: "this server's IP address is not on the account's IP whitelist (IP白名单): add it in the 公众号 console",
  42001: 'the access token expired; run again',
  45009: 'the daily API quota is used up; try again tomorrow',
  45011: 'API calls too frequent; wait a minute',
  40016: 'the menu has the wrong number of buttons',
  40018: 'a button name is too long',
  40019: 'a button key is too long',
  40027: 'a button URL is too long or invalid',
  48001:
    'this account may not use the menu API. An unverified subscription account (未认证订阅号, which all personal accounts are) cannot have a custom menu through the API; use a verified account, a service account (服务号) or the test account (接口测试号)',
};

export interface WechatApiOptions {
  appId: string;
  secret: string;
  apiRoot?: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

/** A token is renewed this long before it expires (stable_token issues a new one in the last 5 minutes). */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * The menu API with its access token: fetched from `stable_token` (which does
 * not invalidate tokens other servers hold), cached until shortly before it
 * expires, one request at a time, and never force-refreshed (20 a day at most).
 */
export class WechatApi {
  private token: { value: string; renewAt: number } | null = null;
  private pending: Promise<string> | null = null;
  private readonly root: string;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: WechatApiOptions) {
    this.root = (options.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** A valid access token (cached). */
  accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return Promise.resolve(this.token.value);
    this.pending ??= this.fetchToken().finally(() => (this.pending = null));
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const body = await this.call('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: this.options.appId,
      secret: this.options.secret,
      force_refresh: false,
    });
    const value = body.access_token;
    const expiresIn = Number(body.expires_in);
    if (typeof value !== 'string' || !value || !Number.isFinite(expiresIn)) throw new Error('stable_token answered without access_token');
    this.token = { value, renewAt: this.now() + Math.max(0, expiresIn * 1000 - RENEW_BEFORE_MS) };
    return value;
  }

  /** Creates (replaces) the custom menu. */
  async createMenu(menu: Menu): Promise<void> {
    const token = await this.accessToken();
    await this.call(`/cgi-bin/menu/create?access_token=${encodeURIComponent(token)}`, menu);
  }

  /** POSTs JSON; throws WechatApiError on a non-zero errcode, Error on HTTP or network trouble. */
  private async call(path: string, payload: unknown): Promise<Record<string, unknown>> {
    const res = await this.fetch(`${this.root}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new Error(`WeChat API answered HTTP ${res.status} for ${path.split('?')[0]}`);
    let body: Record<string, unknown>;
    try {
      body = (await res.json()) as Record<string, unknown>;
    } catch {
      throw new Error(`WeChat API answered something other than JSON for ${path.split('?')[0]}`);
    }
    const errcode = Number(body.errcode ?? 0);
    if (errcode !== 0) throw new WechatApiError(errcode, String(body.errmsg ?? ''), ERROR_HINTS[errcode]);
    return body;
  }
}
