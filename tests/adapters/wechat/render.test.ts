/** WeChat text rendering: links only, numbered choices, sources, pages under the byte limit. */
import { describe, it, expect } from 'vitest';
import { byteLength, renderWechat, safeHref, sourcesWechat, WECHAT_TEXT_MAX_BYTES } from '../../../src/adapters/wechat/render.js';
import type { Reply } from '../../../src/engine/types.js';
import { realEngine } from '../../helpers.js';

const base: Reply = {
  kind: 'answer',
  topic: 'x.y',
  facet: null,
  confidence: 0.9,
  title: '标题',
  blocks: [
    { type: 'paragraph', text: '概要 <b>粗体</b> 我 > 服务 > 钱包' },
    { type: 'steps', items: ['第一步', '第二步'] },
    {
      type: 'channels',
      title: '官方渠道',
      channels: [
        { id: 'h', name: '热线', kind: 'phone', value: '95017', note: '按提示' },
        { id: 'k', name: '腾讯客服', kind: 'account', value: '「腾讯客服」公众号', url: 'https://kf.qq.com' },
        { id: 'u', name: '帮助', kind: 'url', value: '帮助中心', url: 'https://example.org/路径?q="x"' },
      ],
    },
    {
      type: 'sources',
      title: '来源',
      checkedLabel: '核对于',
      checked: '2026-11-24',
      sources: [
        { title: '官方页', url: 'https://kf.qq.com/faq/1.html', kind: 'official', kindLabel: '官方' },
        { title: '报道', url: 'https://news.example/2', kind: 'media', kindLabel: '媒体' },
      ],
    },
  ],
  suggestions: [
    { label: '要多久', kind: 'facet', topic: 'x.y', facet: 'duration' },
    { label: '别的话题', kind: 'topic', topic: 'a.b', facet: null },
  ],
  sources: [],
};

describe('renderWechat', () => {
  it('renders text with <a href> links only, numbered choices last', () => {
    const [page, ...rest] = renderWechat(base);
    expect(rest).toEqual([]);
    expect(page!.startsWith('【标题】\n\n概要 粗体 我 > 服务 > 钱包')).toBe(true);
    expect(page).toContain('1. 第一步\n2. 第二步');
    expect(page).toContain('- 热线:95017(按提示)');
    expect(page).toContain('- 腾讯客服:「腾讯客服」公众号(<a href="https://kf.qq.com/">kf.qq.com</a>)');
    expect(page).toContain('<a href="https://example.org/%E8%B7%AF%E5%BE%84?q=%22x%22">帮助中心</a>');
    expect(page).toContain('[官方] <a href="https://kf.qq.com/faq/1.html">官方页</a>');
    expect(page!.endsWith('回复 1 要多久\n回复 2 别的话题')).toBe(true);
    // No tag other than <a href="…"> and </a>.
    expect(page!.replace(/<a href="[^"<>]*">|<\/a>/g, '')).not.toMatch(/<|>(?! )/);
  });

  it('writes the sources line like the text renderer: a list, or one line for a follow-up', () => {
    const sources = base.blocks[3] as Extract<Reply['blocks'][number], { type: 'sources' }>;
    expect(sourcesWechat(sources)).toBe(
      '📚 来源(核对于 2026-11-24):\n- [官方] <a href="https://kf.qq.com/faq/1.html">官方页</a>\n- [媒体] <a href="https://news.example/2">报道</a>',
    );
    expect(sourcesWechat({ ...sources, compact: true })).toBe(
      '📚 来源:[官方] <a href="https://kf.qq.com/faq/1.html">官方页</a>、[媒体] <a href="https://news.example/2">报道</a> · 核对于 2026-11-24',
    );
  });

  it('drops links that are not http(s)', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });

  it('splits a long answer into pages under the byte limit, losing nothing, with 「回复 0」 while more follows', () => {
    const long: Reply = {
      ...base,
      blocks: [
        ...Array.from({ length: 12 }, (_, i) => ({ type: 'paragraph' as const, text: `第${i}段:${'实名认证'.repeat(30)}` })),
        { type: 'steps', items: Array.from({ length: 40 }, (_, i) => `步骤${i}${'注销'.repeat(10)}`) },
        { type: 'paragraph', text: '很长的一行'.repeat(300) },
        ...base.blocks,
      ],
    };
    const pages = renderWechat(long);
    expect(pages.length).toBeGreaterThan(4);
    for (const [i, page] of pages.entries()) {
      expect(byteLength(page)).toBeLessThanOrEqual(WECHAT_TEXT_MAX_BYTES);
      expect(page.includes('回复 0 看剩下的部分')).toBe(i < pages.length - 1);
      expect(page).toContain('回复 1 要多久\n回复 2 别的话题');
    }
    // Every character of the body is on some page, in order.
    const strip = (s: string) => s.replace(/回复 \d [^\n]*/g, '').replace(/\s/g, '');
    const whole = renderWechat(long, { maxBytes: 1_000_000 })[0]!;
    expect(pages.map(strip).join('')).toBe(strip(whole));
    // A link is never cut in two.
    for (const page of pages) expect((page.match(/<a /g) ?? []).length).toBe((page.match(/<\/a>/g) ?? []).length);
  });

  it('keeps every real topic answer under the limit, on as many pages as it needs', () => {
    const engine = realEngine();
    for (const { id } of engine.topics) {
      const pages = renderWechat(engine.respond(null, { topic: id }, Date.now()).reply);
      for (const page of pages) expect(byteLength(page), id).toBeLessThanOrEqual(WECHAT_TEXT_MAX_BYTES);
      expect(pages.at(-1), id).not.toContain('回复 0');
    }
    const menu = renderWechat(engine.topicsMenu());
    expect(menu.length).toBe(1);
    expect(menu[0]).toContain(`回复 ${engine.topics.length} `);
  });

  it('writes its own lines in Traditional for a Traditional reader', () => {
    const pages = renderWechat({ ...base, blocks: [{ type: 'paragraph', text: '長'.repeat(900) }] }, { traditional: true });
    expect(pages[0]).toContain('回覆 0 看剩下的部分');
  });
});
