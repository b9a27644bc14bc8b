/**
 * Every answer a user reads names its sources and the date it was checked: in the terminal
 * text, in the `reply` of `ask --json` and in Telegram HTML, for every topic. Telegram HTML
 * stays within a message and parses. And 「要花钱吗」 gets the truth for the free procedures.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, type Topic } from '../../src/content/load.js';
import { traditionalReply } from '../../src/engine/compose.js';
import { FACETS, type Reply } from '../../src/engine/types.js';
import { renderText } from '../../src/render/text.js';
import { renderHtml, TELEGRAM_MAX_CHARS } from '../../src/render/html.js';
import { realEngine, realKnowledge } from '../helpers.js';

const kb = realKnowledge();
const engine = realEngine();
const NOW = 1_700_000_000_000;

/** A first question on the topic, by its id (a button or a deep link). */
const answer = (topic: Topic) => engine.respond(null, { topic: topic.id }, NOW);
/** A facet follow-up after that answer. */
const followup = (topic: Topic, facet: string) => engine.respond(answer(topic).session, { topic: topic.id, facet }, NOW);

// ---------------------------------------------------------------------------------------------
// A small checker of Telegram's HTML (https://core.telegram.org/bots/api#html-style).

/** Tags Telegram accepts, and the attributes each may carry. */
const ALLOWED: Record<string, (attrs: Record<string, string | true>) => boolean> = {
  b: none, strong: none, i: none, em: none, u: none, ins: none, s: none, strike: none, del: none,
  'tg-spoiler': none, pre: none,
  span: (a) => keys(a) === 'class' && a.class === 'tg-spoiler',
  a: (a) => keys(a) === 'href' && typeof a.href === 'string' && a.href.length > 0,
  'tg-emoji': (a) => keys(a) === 'emoji-id' && typeof a['emoji-id'] === 'string',
  code: (a) => keys(a) === '' || (keys(a) === 'class' && /^language-[\w+-]+$/.test(String(a.class))),
  blockquote: (a) => keys(a) === '' || (keys(a) === 'expandable' && a.expandable === true),
};
function none(a: Record<string, string | true>) {
  return keys(a) === '';
}
function keys(a: Record<string, string | true>) {
  return Object.keys(a).sort().join(',');
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
const ENTITY_RE = /^&(?:(lt|gt|amp|quot)|#(\d+)|#x([0-9a-f]+));/i;
const TAG_RE = /^<(\/?)([a-z][a-z-]*)((?:\s+[a-z-]+(?:="[^"<>]*")?)*)\s*>/;
const ATTR_RE = /([a-z-]+)(?:="([^"]*)")?/g;

const unescape = (s: string) =>
  s.replace(/&(?:(lt|gt|amp|quot)|#(\d+)|#x([0-9a-f]+));/gi, (_, name?: string, dec?: string, hex?: string) =>
    name ? ENTITIES[name.toLowerCase()]! : String.fromCodePoint(dec ? Number(dec) : parseInt(hex!, 16)),
  );

interface ParsedHtml {
  /** The text a user reads (tags removed, entities decoded). */
  text: string;
  links: { href: string; text: string }[];
}

/** Parses Telegram HTML; throws on a tag Telegram rejects, unbalanced tags or unescaped text. */
function parseTelegramHtml(html: string): ParsedHtml {
  const stack: { tag: string; start: number; href?: string }[] = [];
  const links: ParsedHtml['links'] = [];
  let text = '';
  for (let i = 0; i < html.length; ) {
    const rest = html.slice(i);
    const ch = html[i]!;
    if (ch === '<') {
      const m = TAG_RE.exec(rest);
      if (!m) throw new Error(`unescaped "<" at ${i}: ${rest.slice(0, 30)}`);
      const [whole, closing, tag, attrText] = m as unknown as [string, string, string, string];
      const check = ALLOWED[tag];
      if (!check) throw new Error(`tag <${tag}> is not allowed by Telegram`);
      if (closing) {
        if (attrText.trim()) throw new Error(`closing tag </${tag}> has attributes`);
        const open = stack.pop();
        if (open?.tag !== tag) throw new Error(`</${tag}> closes ${open ? `<${open.tag}>` : 'nothing'} at ${i}`);
        if (tag === 'a') links.push({ href: open.href!, text: text.slice(open.start) });
      } else {
        const attrs: Record<string, string | true> = {};
        for (const a of attrText.matchAll(ATTR_RE)) {
          if (a[2] !== undefined && /&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);)/i.test(a[2])) throw new Error(`unescaped "&" in ${a[1]}="${a[2]}"`);
          attrs[a[1]!] = a[2] === undefined ? true : unescape(a[2]);
        }
        if (!check(attrs)) throw new Error(`<${tag}> with attributes ${JSON.stringify(attrs)} is not allowed`);
        const inside = stack.map((s) => s.tag);
        if (inside.includes('code') || (inside.includes('pre') && tag !== 'code')) throw new Error(`<${tag}> inside code or pre`);
        if (tag === 'a' && inside.includes('a')) throw new Error('a link inside a link');
        if (tag === 'blockquote' && inside.includes('blockquote')) throw new Error('a blockquote inside a blockquote');
        stack.push({ tag, start: text.length, ...(tag === 'a' ? { href: attrs.href as string } : {}) });
      }
      i += whole.length;
    } else if (ch === '&') {
      const m = ENTITY_RE.exec(rest);
      if (!m) throw new Error(`unescaped "&" at ${i}: ${rest.slice(0, 30)}`);
      text += unescape(m[0]);
      i += m[0].length;
    } else if (ch === '>') {
      throw new Error(`unescaped ">" at ${i}`);
    } else {
      text += ch;
      i++;
    }
  }
  if (stack.length) throw new Error(`unclosed ${stack.map((s) => `<${s.tag}>`).join(' ')}`);
  return { text, links };
}

/** The sources as the reply shows them (the block: Traditional in a Traditional reply). */
const shownSources = (reply: Reply) => {
  const block = reply.blocks.find((b) => b.type === 'sources');
  expect(block, 'a sources block').toBeDefined();
  return block?.type === 'sources' ? block.sources : [];
};

/** Every message of a reply within Telegram's limit and valid; their texts and links together. */
function telegramMessages(reply: Reply): ParsedHtml {
  const messages = renderHtml(reply);
  expect(messages.length).toBeGreaterThan(0);
  const parsed = messages.map((html) => {
    expect(html.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
    const p = parseTelegramHtml(html);
    expect(p.text.length).toBeLessThanOrEqual(TELEGRAM_MAX_CHARS);
    return p;
  });
  return { text: parsed.map((p) => p.text).join('\n'), links: parsed.flatMap((p) => p.links) };
}

describe('the Telegram HTML checker', () => {
  it('accepts what Telegram accepts', () => {
    const p = parseTelegramHtml('<b>标题</b>\n<i>来源:<a href="https://a.example/?x=1&amp;y=2">A &amp; B</a></i>\n<blockquote expandable>1 &lt; 2</blockquote><code>95017</code>');
    expect(p.text).toBe('标题\n来源:A & B\n1 < 295017');
    expect(p.links).toEqual([{ href: 'https://a.example/?x=1&y=2', text: 'A & B' }]);
  });

  for (const bad of ['<b>x', 'x</b>', '<b><i>x</b></i>', '<div>x</div>', 'a < b', 'a > b', 'A & B', '<a>x</a>', '<a href="x"><a href="y">z</a></a>', '<blockquote collapsed>x</blockquote>', '<code><b>x</b></code>']) {
    it(`rejects ${bad}`, () => expect(() => parseTelegramHtml(bad)).toThrow());
  }
});

// ---------------------------------------------------------------------------------------------

describe.each(kb.topics.map((t) => [t.id, t] as const))('%s', (_id, topic) => {
  const { sources, checked } = topic.content;

  it('has sources and a checked date', () => {
    expect(sources.length).toBeGreaterThan(0);
    expect(checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('the reply carries its sources (official first) and date', () => {
    const { reply } = answer(topic);
    expect(reply).toMatchObject({ kind: 'answer', topic: topic.id, checked, sources });
    const order = ['official', 'media', 'third-party'];
    expect(reply.sources.map((s) => order.indexOf(s.kind))).toEqual(reply.sources.map((s) => order.indexOf(s.kind)).sort((a, b) => a - b));
  });

  it('the terminal text of the answer and of every follow-up names every source, its URL and the date', () => {
    const replies = [answer(topic).reply, ...FACETS.map((f) => followup(topic, f).reply)];
    for (const reply of replies) {
      const text = renderText(reply);
      for (const s of sources) {
        expect(text, `${reply.facet}`).toContain(s.title);
        expect(text, `${reply.facet}`).toContain(s.url);
      }
      expect(text, `${reply.facet}`).toContain(checked);
    }
  });

  it('the Telegram answer links every source title and shows the date, within one message each and valid HTML', () => {
    for (const reply of [answer(topic).reply, traditionalReply(answer(topic).reply)]) {
      const { text, links } = telegramMessages(reply);
      const shown = shownSources(reply);
      expect(shown.map((s) => s.url)).toEqual(sources.map((s) => s.url));
      for (const s of shown) expect(links).toContainEqual({ href: s.url, text: s.title });
      expect(text).toContain(checked);
    }
  });

  it('every Telegram follow-up (each facet, also one without a section) is valid, within limits, and names a source and the date', () => {
    for (const facet of FACETS) {
      const { reply } = followup(topic, facet);
      expect(reply.topic).toBe(topic.id);
      for (const r of [reply, traditionalReply(reply)]) {
        const { text, links } = telegramMessages(r);
        const first = shownSources(r)[0]!;
        expect(first.url).toBe(sources[0]!.url);
        expect(links, facet).toContainEqual({ href: first.url, text: first.title });
        expect(text, facet).toContain(checked);
      }
    }
  });
});

describe('small talk, menus and the fallback in Telegram HTML', () => {
  it('are valid and within limits', () => {
    const replies: Reply[] = [
      engine.welcome(),
      engine.topicsMenu(),
      ...kb.smalltalk.map((s) => engine.respond(null, { topic: s.id }, NOW).reply),
      engine.respond(null, '今天天气怎么样', NOW).reply,
    ];
    for (const reply of replies) telegramMessages(reply);
  });
});

// ---------------------------------------------------------------------------------------------

describe('ask --json', () => {
  /** For each topic, a question that routes to it: its display name, else its first training line that does. */
  const questions = kb.topics.map((t) => {
    const q = [t.name, ...t.utterances].find((u) => {
      const r = engine.respond(null, u, NOW).reply;
      return r.kind === 'answer' && r.topic === t.id;
    });
    return { topic: t, question: q };
  });
  let out: { text: string; kind: string; topic: string | null; reply: string }[] = [];

  beforeAll(() => {
    const input = questions.map((q) => q.question ?? '').join('\n') + '\n';
    const r = spawnSync('npx', ['tsx', 'src/cli/ask.ts', '--json'], { cwd: PROJECT_ROOT, input, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    out = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  });

  it.each(questions.map((q, i) => [q.topic.id, q, i] as const))('%s: the reply names every source, its URL and the date', (_id, { topic, question }, i) => {
    expect(question, `no question routes to ${topic.id}`).toBeDefined();
    expect(out[i]).toMatchObject({ text: question, kind: 'answer', topic: topic.id });
    for (const s of topic.content.sources) {
      expect(out[i]!.reply).toContain(s.title);
      expect(out[i]!.reply).toContain(s.url);
    }
    expect(out[i]!.reply).toContain(topic.content.checked);
  });
});

// ---------------------------------------------------------------------------------------------

describe('「要花钱吗」 for the free procedures', () => {
  const free: [topic: string, first: string, direct: string][] = [
    ['realname.remove', '微信怎么解除实名认证', '解除实名认证要花钱吗'],
    ['account.delete', '怎么注销微信账号', '注销微信账号要花钱吗'],
    ['realname.misuse', '怎么查询身份证名下的微信账号', '查询名下微信账户要花钱吗'],
    ['bankcard.unbind', '微信怎么解绑银行卡', '解绑银行卡要花钱吗'],
  ];
  const costName = kb.facets.find((f) => f.id === 'cost')!.name;

  const expectFree = (reply: Reply, topic: string) => {
    expect(reply).toMatchObject({ topic, facet: 'cost' });
    // The curated cost section is shown, not the "not separately curated" note.
    expect(reply.blocks).toContainEqual({ type: 'heading', text: costName });
    expect(renderText(reply)).toContain('免费');
  };

  it.each(free)('%s has a cost section', (topic) => {
    expect(kb.topics.find((t) => t.id === topic)!.content.sections.has('cost'), `content/${topic}.md needs a "## cost" section`).toBe(true);
  });

  it.each(free)('%s: after 「%s」, 「要花钱吗」 answers that it is free', (topic, first) => {
    const a = engine.respond(null, first, NOW);
    expect(a.reply).toMatchObject({ kind: 'answer', topic });
    const b = engine.respond(a.session, '要花钱吗', NOW);
    expect(b.reply.kind).toBe('followup');
    expectFree(b.reply, topic);
  });

  it.each(free)('%s: 「%s」 in one question answers that it is free', (topic, _first, direct) => {
    expectFree(engine.respond(null, direct, NOW).reply, topic);
  });
});
