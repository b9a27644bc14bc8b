/**
 * The chat page in a real browser: Debian's headless Chromium driven by
 * playwright-core (no browser download), in a phone viewport. Skipped when
 * Chromium is missing, unless REQUIRE_BROWSER=1 (CI).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../../src/content/load.js';
import { startWebServer, type WebServer } from './web-server.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium && process.env.REQUIRE_BROWSER === '1') throw new Error(`Chromium is not at ${CHROMIUM_PATH}, but REQUIRE_BROWSER=1`);

// The callbacks given to page.evaluate run in the page; the project compiles without the DOM library.
declare const document: any;
declare const window: any;
declare function getComputedStyle(element: any): any;
type Element = any;
type HTMLElement = any;

const OUTPUT = join(PROJECT_ROOT, 'test-output');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };

describe.skipIf(!hasChromium)('the chat page in headless Chromium, phone viewport', () => {
  let browser: Browser;
  let web: WebServer;

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    web = await startWebServer();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  /** A phone page that records every request and every dialog. */
  async function open(path = '/') {
    const page = await browser.newPage(PHONE);
    const requests: string[] = [];
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(web.base + path);
    return { page, requests, dialogs, errors };
  }

  const bot = (page: Page) => page.locator('article.msg.bot');
  const ask = async (page: Page, text: string) => {
    const before = await bot(page).count();
    await page.locator('#q').fill(text);
    await page.locator('#q').press('Enter');
    await expect.poll(() => bot(page).count()).toBe(before + 1);
    // A fixed index: last() would follow the newest message.
    return bot(page).nth(before);
  };
  /** What the page received for its next /api/chat call. */
  const nextReply = (page: Page) =>
    page.waitForResponse((r) => r.url().endsWith('/api/chat')).then(async (r) => (await r.json()).reply as any);
  const noSideways = (page: Page) =>
    page.evaluate(() => {
      const log = document.getElementById('log')!;
      return { page: document.documentElement.scrollWidth - window.innerWidth, log: log.scrollWidth - log.clientWidth };
    });

  it('holds a conversation: answer with channels and sources, a tapped follow-up, a switch, 👍', async () => {
    const { page, requests, dialogs, errors } = await open();
    await expect.poll(() => page.getByRole('button', { name: /解除实名/ }).count()).toBeGreaterThan(0);
    expect(await page.locator('#log').getAttribute('role')).toBe('log');
    expect(await page.locator('#log').getAttribute('aria-live')).toBe('polite');

    const received = nextReply(page);
    const answer = await ask(page, '微信怎么解除实名认证');
    const reply = await received;
    expect(await answer.locator('h2').textContent()).toBe('解除微信实名认证');
    expect(await answer.locator('ol li').count()).toBeGreaterThan(2);
    // The channels and the sources, as the server sent them: every name, a link for every URL.
    const channelsBlock = reply.blocks.find((b: { type: string }) => b.type === 'channels');
    const channels = answer.locator('section.channels');
    expect(await channels.locator('h3').textContent()).toBe(channelsBlock.title);
    for (const c of channelsBlock.channels) {
      expect(await channels.textContent()).toContain(c.name);
      if (c.url) expect(await channels.locator(`a[href="${new URL(c.url).href}"]`).count()).toBe(1);
    }
    const sourcesBlock = reply.blocks.find((b: { type: string }) => b.type === 'sources');
    const sources = answer.locator('p.sources');
    const first = sourcesBlock.sources[0];
    expect(await sources.textContent()).toMatch(new RegExp(`^${sourcesBlock.title}:\\[${first.kindLabel}\\] .+ · ${sourcesBlock.checkedLabel} \\d{4}-\\d{2}-\\d{2}$`));
    expect(await sources.locator('a').count()).toBe(sourcesBlock.sources.length);
    expect(await sources.locator('a').first().getAttribute('href')).toBe(new URL(first.url).href);
    await page.screenshot({ path: join(OUTPUT, 'web-chat-answer.png') });

    // Tap 「要多久」 (a facet suggestion): the follow-up stays on the topic.
    await answer.locator('.chips button', { hasText: '要多久' }).tap();
    await expect.poll(() => bot(page).count()).toBe(3);
    const followup = bot(page).nth(2);
    expect(await followup.locator('h2').textContent()).toBe('解除微信实名认证');
    expect(await followup.locator('h3').first().textContent()).toBe('要多久');
    // Numbers belong to the last reply only.
    expect(await answer.locator('.num').count()).toBe(0);
    expect(await followup.locator('.num').first().textContent()).toBe('1');

    // Typed: the switch to another topic.
    const switched = await ask(page, '那注销账号呢');
    expect(await switched.locator('h2').textContent()).toBe('注销微信账号');

    // 👍 on the last answer: counted by topic on the server, thanked on the page.
    await switched.getByRole('button', { name: '有帮助' }).tap();
    await expect.poll(() => switched.locator('.fb span').textContent()).toBe('谢谢反馈!');
    expect(await switched.getByRole('button', { name: '有帮助' }).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => web.metrics()).toContain('bot_feedback_total{channel="web",topic="account.delete",useful="true"} 1');
    await switched.locator('.fb').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUTPUT, 'web-chat.png') });

    // A typed number follows the last reply's suggestion, as in the terminal.
    const label = await switched.locator('.chips button').nth(1).textContent();
    await ask(page, '2');
    expect(await page.locator('.msg.me p').last().textContent()).toBe(`2. ${label!.replace(/^2/, '')}`);

    // Markup typed by a user is text: no element, no script.
    await ask(page, '<img src=x onerror=alert(1)>');
    expect(await page.locator('.msg.me p').last().textContent()).toBe('<img src=x onerror=alert(1)>');
    expect(await page.locator('img').count()).toBe(0);

    const sideways = await noSideways(page);
    expect(sideways.page).toBeLessThanOrEqual(0);
    expect(sideways.log).toBeLessThanOrEqual(0);
    await page.locator('#log').evaluate((log) => (log.scrollTop = log.scrollHeight));
    await page.screenshot({ path: join(OUTPUT, 'web-chat-markup-as-text.png') });

    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    // Everything the page loaded came from its own origin.
    expect(requests.filter((url) => !url.startsWith(web.base + '/'))).toEqual([]);
    await page.close();
  });

  it('meets WCAG AA contrast for every piece of text', async () => {
    const { page } = await open('/?q=' + encodeURIComponent('微信怎么解除实名认证'));
    await expect.poll(() => bot(page).count()).toBe(2);
    await page.locator('#q').focus();
    const failures = await page.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) =>
        [r!, g!, b!].map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i]!, 0);
      const background = (el: Element | null): number[] => {
        for (; el; el = el.parentElement) {
          const c = rgb(getComputedStyle(el).backgroundColor);
          if (c.length === 3 || (c.length === 4 && c[3]! > 0)) return c;
        }
        return [255, 255, 255];
      };
      const out: string[] = [];
      const all: any[] = Array.from(document.querySelectorAll('#app *'));
      for (const el of all) {
        const own = Array.from(el.childNodes as ArrayLike<any>).some((n) => n.nodeType === 3 && n.textContent!.trim());
        if (!own || !(el as HTMLElement).offsetParent || el.closest('.sr')) continue;
        const fg = lum(rgb(getComputedStyle(el).color));
        const bg = lum(background(el));
        const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        if (ratio < 4.5) out.push(`${el.tagName}.${el.className} ${ratio.toFixed(2)}: ${el.textContent!.slice(0, 20)}`);
      }
      return out;
    });
    expect(failures).toEqual([]);
    await page.close();
  });

  it('works from the keyboard alone', async () => {
    const { page } = await open();
    await expect.poll(() => bot(page).count()).toBe(1);
    // The first Tab reaches the skip link, which leads to the input.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('跳到输入框');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.keyboard.type('怎么注销微信账号');
    await page.keyboard.press('Enter');
    await expect.poll(() => bot(page).count()).toBe(2);
    // Back from the input: the last suggestion button; Enter follows it.
    await page.keyboard.press('Shift+Tab');
    const focused = await page.evaluate(() => document.activeElement?.closest('.chips') !== null);
    expect(focused).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => bot(page).count()).toBe(3);
    await page.close();
  });

  it('opens deep links: ?q= asks at once, ?topic= opens a topic', async () => {
    const asked = await open('/?q=' + encodeURIComponent('微信怎么解除实名认证'));
    await expect.poll(() => bot(asked.page).count()).toBe(2);
    expect(await bot(asked.page).last().locator('h2').textContent()).toBe('解除微信实名认证');
    expect(await asked.page.locator('.msg.me p').textContent()).toBe('微信怎么解除实名认证');
    await asked.page.close();
    const topic = await open('/?topic=account.delete');
    await expect.poll(() => bot(topic.page).count()).toBe(2);
    expect(await bot(topic.page).last().locator('h2').textContent()).toBe('注销微信账号');
    await topic.page.close();
  });

  it('keeps the input on screen when the keyboard takes half the viewport', async () => {
    const { page } = await open('/?q=' + encodeURIComponent('微信怎么解除实名认证'));
    await expect.poll(() => bot(page).count()).toBe(2);
    await page.setViewportSize({ width: 390, height: 420 });
    await page.locator('#q').focus();
    await expect.poll(async () => (await page.locator('#q').boundingBox())!.y + (await page.locator('#q').boundingBox())!.height).toBeLessThanOrEqual(420);
    expect((await noSideways(page)).page).toBeLessThanOrEqual(0);
    await page.close();
  });

  it('shows the rate limit as a friendly message', async () => {
    const limited = await startWebServer({ limits: { session: { max: 2, windowMs: 60_000 }, address: { max: 100, windowMs: 60_000 } } });
    const page = await browser.newPage(PHONE);
    try {
      await page.goto(limited.base + '/');
      for (const q of ['你好', '怎么注销微信账号']) await ask(page, q);
      await page.locator('#q').fill('要多久');
      await page.locator('#q').press('Enter');
      await expect.poll(() => page.locator('.notice').count()).toBe(1);
      expect(await page.locator('.notice').textContent()).toContain('稍等');
    } finally {
      await page.close();
      await limited.close();
    }
  });
});
