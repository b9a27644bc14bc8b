import { describe, it, expect } from 'vitest';
import { escapeHtml, renderHtml, TELEGRAM_MAX_CHARS } from '../../src/render/html.js';
import { realEngine, realKnowledge } from '../helpers.js';
import type { Reply } from '../../src/engine/types.js';

describe('escapeHtml', () => {
  it('escapes &, < and >', () => {
    expect(escapeHtml('<b>a & b</b>')).toBe('&lt;b&gt;a &amp; b&lt;/b&gt;');
  });
});

describe('renderHtml', () => {
  const base: Reply = { kind: 'answer', topic: 't', facet: null, confidence: 1, blocks: [], suggestions: [], sources: [] };

  it('never lets text become markup', () => {
    const [html] = renderHtml({ ...base, title: '<script>', blocks: [{ type: 'paragraph', text: '<a href="x">y</a> & **z**' }] });
    expect(html).toBe('<b>&lt;script&gt;</b>\n\n&lt;a href="x"&gt;y&lt;/a&gt; &amp; **z**');
  });

  it('splits long replies at paragraph boundaries, each part under the limit', () => {
    const blocks = Array.from({ length: 30 }, (_, i) => ({ type: 'paragraph' as const, text: `${i}`.repeat(300) }));
    const parts = renderHtml({ ...base, blocks });
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
    expect(parts.join('\n\n').split('\n\n').length).toBe(30);
  });

  it('renders every answer and every facet of every topic below 4096 characters', () => {
    const engine = realEngine();
    for (const topic of realKnowledge().topics) {
      for (const facet of [null, ...topic.content.sections.keys()]) {
        const { reply } = engine.respond(null, { topic: topic.id, facet }, 0);
        const parts = renderHtml(reply);
        expect(parts, `${topic.id} ${facet}`).toHaveLength(1);
        expect(parts[0]!.length, `${topic.id} ${facet}`).toBeLessThan(TELEGRAM_MAX_CHARS);
      }
    }
  });
});
