import { describe, it, expect } from 'vitest';
import { renderText, renderSuggestions } from '../../src/render/text.js';
import type { Reply } from '../../src/engine/types.js';

const reply: Reply = {
  kind: 'answer',
  topic: 'x.y',
  facet: null,
  confidence: 0.9,
  title: '标题',
  blocks: [
    { type: 'warning', text: '别发验证码' },
    { type: 'paragraph', text: '概要' },
    { type: 'heading', text: '怎么操作' },
    { type: 'steps', items: ['第一步', '第二步'] },
    { type: 'list', items: ['条件'] },
    { type: 'note', text: '以微信内实际页面为准' },
    { type: 'channels', title: '官方渠道', channels: [{ id: 'h', name: '热线', kind: 'phone', value: '95017', note: '按提示' }] },
  ],
  suggestions: [{ label: '要多久', kind: 'facet', topic: 'x.y', facet: 'duration' }],
  sources: [],
};

describe('renderText', () => {
  it('renders title, numbered steps, notes and channel pointers last', () => {
    const text = renderText(reply);
    expect(text.startsWith('【标题】')).toBe(true);
    expect(text).toContain('1. 第一步\n2. 第二步');
    expect(text).toContain('⚠ 别发验证码');
    expect(text.trimEnd().endsWith('- 热线:95017(按提示)')).toBe(true);
  });

  it('strips control characters', () => {
    expect(renderText({ ...reply, title: undefined, blocks: [{ type: 'paragraph', text: 'a\u0007b\u001b' }] })).toBe('ab');
  });

  it('numbers suggestions', () => {
    expect(renderSuggestions(reply)).toBe('  1. 要多久');
  });
});
