/**
 * Loads and validates intents/ and content/. This is the only module of the
 * core that reads files; the engine gets the validated result.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { FACETS, SOURCE_KINDS, type Block, type ChannelPointer, type Facet, type Source } from '../engine/types.js';
import { splitMarkdown, toBlocks, contentLines, MarkdownError } from './markdown.js';
import {
  channelsFileSchema,
  controlFileSchema,
  facetsFileSchema,
  lexiconFileSchema,
  neverSayFileSchema,
  offTopicFileSchema,
  pageFrontSchema,
  smalltalkFileSchema,
  smalltalkFrontSchema,
  topicFrontSchema,
  topicIntentsSchema,
  uiFileSchema,
  TOPIC_ID_RE,
  type UiTexts,
} from './schema.js';

/** The project root, where intents/ and content/ live by default. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ContentProblem {
  file: string;
  line?: number;
  message: string;
}

export const formatProblem = (p: ContentProblem): string =>
  `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;

/** Thrown by loadContent() when the data cannot be used; carries every problem found. */
export class ContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    super(
      `${problems.length} problem(s) in the curated content:\n` +
        problems.map((p) => '  ' + formatProblem(p)).join('\n') +
        '\nRun `npm run check` for the full list.',
    );
    this.name = 'ContentError';
  }
}

export interface TopicContent {
  title: string;
  channels: ChannelPointer[];
  /** Official first, then media, then third-party; file order within a kind. */
  sources: Source[];
  checked: string;
  refusal?: string;
  summary: Block[];
  /** Facet sections in file order. */
  sections: Map<Facet, Block[]>;
}

export interface Topic {
  id: string;
  name: string;
  related: string[];
  /** Lexicon values ("status.deceased"), one of which a message must name for this topic to be chosen. */
  requires: string[];
  utterances: string[];
  refusals: string[];
  /** Example follow-up questions per section (intents/<id>.yaml `followups:`). */
  followups: Partial<Record<Facet, string[]>>;
  content: TopicContent;
}

export interface SmalltalkIntent {
  id: string;
  name: string;
  utterances: string[];
  title: string;
  blocks: Block[];
  channels: ChannelPointer[];
  suggest: string[];
}

export interface Page {
  blocks: Block[];
  suggest: string[];
  channels: ChannelPointer[];
}

/** One entity value of the lexicon (see intents/_lexicon.yaml). */
export interface LexiconEntry {
  type: string;
  value: string;
  forms: string[];
  /** A question that names this value, and no other of its type, is answered by this topic. */
  route?: string;
  /**
   * Naming it makes a question this bot's matter (实名, 身份证): a first question that reads as
   * off-topic by a hair (`matching.inScopeMargin`) is answered with its best topic instead.
   */
  inScope?: true;
  /** An age written in a message ("16岁", "十二岁", "12 years old") in this range, ends included, names the value. */
  ages?: [number, number];
}

export interface Lexicon {
  entities: LexiconEntry[];
  /** canonical word -> the spellings rewritten to it */
  synonyms: Record<string, string[]>;
}

export interface KnowledgeBase {
  topics: Topic[];
  lexicon: Lexicon;
  facets: { id: Facet; name: string; utterances: string[] }[];
  smalltalk: SmalltalkIntent[];
  offTopic: string[];
  control: { reject: string[] };
  channels: Map<string, ChannelPointer>;
  welcome: Page;
  fallback: Page;
  ui: UiTexts;
  neverSay: { pattern: RegExp; why: string }[];
}

/** Raw text of every content file, kept for the lint checks of `npm run check`. */
export interface ContentSources {
  /** file (relative) -> body text with its first line number */
  bodies: { file: string; line: number; text: string }[];
}

export interface LoadResult {
  kb: KnowledgeBase | null;
  sources: ContentSources;
  problems: ContentProblem[];
}

/** Loads, validates and links the curated data; throws ContentError on any problem. */
export function loadContent(root: string = PROJECT_ROOT): KnowledgeBase {
  const { kb, problems } = readContent(root);
  if (!kb || problems.length) throw new ContentError(problems);
  return kb;
}

/** Like loadContent(), but returns every problem instead of throwing. */
export function readContent(root: string = PROJECT_ROOT): LoadResult {
  const problems: ContentProblem[] = [];
  const sources: ContentSources = { bodies: [] };
  const rel = (path: string) => relative(root, path) || path;
  const intentsDir = join(root, 'intents');
  const contentDir = join(root, 'content');

  const problem = (file: string, message: string, line?: number) =>
    problems.push(line ? { file: rel(file), line, message } : { file: rel(file), message });

  /** Parses a YAML file against a schema; null (with problems) on failure. */
  function yamlFile<S extends z.ZodType>(file: string, schema: S, text?: string, line = 1): z.output<S> | null {
    let raw: unknown;
    try {
      raw = parseYaml(text ?? readFileSync(file, 'utf8'));
    } catch (err) {
      if (err instanceof YAMLParseError) {
        problem(file, `YAML error: ${err.message.split('\n')[0]}`, (err.linePos?.[0].line ?? 0) + line - 1 || undefined);
      } else problem(file, `cannot read: ${(err as Error).message}`);
      return null;
    }
    const result = schema.safeParse(raw ?? {});
    if (!result.success) {
      for (const issue of result.error.issues) {
        const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
        // A bad key says what keys look like ("values are lower-case words such as wechat"), not zod's "Invalid key in record".
        const message = issue.code === 'invalid_key' && issue.issues[0] ? `the name "${String(issue.path.at(-1))}" is not allowed: ${issue.issues[0].message}` : issue.message;
        problem(file, `${where}${message}`, line > 1 ? line : undefined);
      }
      return null;
    }
    return result.data;
  }

  const listDir = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
  if (!existsSync(intentsDir)) problem(intentsDir, 'folder missing');
  if (!existsSync(contentDir)) problem(contentDir, 'folder missing');

  // --- channels first: content refers to them.
  const channelsFile = join(contentDir, 'channels.yaml');
  const channels = new Map<string, ChannelPointer>();
  const channelsData = yamlFile(channelsFile, channelsFileSchema);
  for (const c of channelsData?.channels ?? []) {
    if (channels.has(c.id)) problem(channelsFile, `channel id ${c.id} appears twice`);
    channels.set(c.id, c);
  }
  const channelRefs = (file: string, ids: string[]): ChannelPointer[] =>
    ids.flatMap((id) => {
      const c = channels.get(id);
      if (!c) problem(file, `unknown channel id "${id}" (not in content/channels.yaml)`);
      return c ? [c] : [];
    });
  /** Replaces [[channel-id]] with the channel's value. */
  const expand = (file: string, line: number, text: string) =>
    text.replace(/\[\[([^\]]*)\]\]/g, (_, id: string) => {
      const c = channels.get(id.trim());
      if (!c) {
        problem(file, `unknown channel id "[[${id}]]" (not in content/channels.yaml)`, line);
        return id;
      }
      return c.value;
    });

  /** Reads a Markdown file into front matter data and expanded body lines. */
  function markdownFile<S extends z.ZodType>(file: string, schema: S) {
    let parsed;
    try {
      parsed = splitMarkdown(readFileSync(file, 'utf8'));
    } catch (err) {
      problem(file, err instanceof MarkdownError ? err.message : `cannot read: ${(err as Error).message}`);
      return null;
    }
    const front = yamlFile(file, schema, parsed.front, 2);
    const expandLines = (lines: string[], first: number) => lines.map((l, i) => expand(file, first + i, l));
    const bodyText = [parsed.summary.lines, ...parsed.sections.map((s) => [`## ${s.heading}`, ...s.lines])]
      .flat()
      .join('\n');
    sources.bodies.push({ file: rel(file), line: parsed.bodyLine, text: bodyText });
    return {
      front,
      summary: { lines: expandLines(parsed.summary.lines, parsed.summary.line), line: parsed.summary.line },
      sections: parsed.sections.map((s) => ({ ...s, lines: expandLines(s.lines, s.line + 1) })),
    };
  }

  const ui = yamlFile(join(contentDir, '_ui.yaml'), uiFileSchema);

  // --- topics: intents/<id>.yaml + content/<id>.md
  const topics: Topic[] = [];
  const intentFiles = listDir(intentsDir).filter((f) => !f.startsWith('_'));
  for (const name of intentFiles) {
    const file = join(intentsDir, name);
    if (!name.endsWith('.yaml')) {
      problem(file, 'unexpected file: intents/ holds <topic id>.yaml and _*.yaml files');
      continue;
    }
    const id = name.slice(0, -'.yaml'.length);
    if (!TOPIC_ID_RE.test(id)) {
      problem(file, `file name must be a topic id such as account.delete.yaml`);
      continue;
    }
    const intents = yamlFile(file, topicIntentsSchema);
    if (!intents) continue;
    if (intents.id !== id) problem(file, `id "${intents.id}" does not match the file name (${id})`);
    const contentFile = join(contentDir, `${id}.md`);
    if (!existsSync(contentFile)) {
      problem(contentFile, `missing: topic ${id} has intents but no content file`);
      continue;
    }
    const md = markdownFile(contentFile, topicFrontSchema);
    if (!md?.front) continue;
    if (md.front.id !== id) problem(contentFile, `id "${md.front.id}" does not match the file name (${id})`);
    if (contentLines(md.summary.lines).length === 0) {
      problem(contentFile, 'missing summary: write up to 3 lines before the first ## section', md.summary.line);
    } else if (contentLines(md.summary.lines).length > 3) {
      problem(contentFile, `the summary has ${contentLines(md.summary.lines).length} lines; keep it to 3`, md.summary.line);
    }
    const sections = new Map<Facet, Block[]>();
    for (const s of md.sections) {
      if (!(FACETS as readonly string[]).includes(s.heading)) {
        problem(contentFile, `unknown section "## ${s.heading}": use a facet id (${FACETS.join(', ')})`, s.line);
      } else if (sections.has(s.heading as Facet)) {
        problem(contentFile, `section "## ${s.heading}" appears twice`, s.line);
      } else {
        const blocks = toBlocks(s.lines);
        if (!blocks.length) problem(contentFile, `section "## ${s.heading}" is empty`, s.line);
        sections.set(s.heading as Facet, blocks);
      }
    }
    for (const facet of Object.keys(intents.followups) as Facet[]) {
      if (!sections.has(facet)) problem(file, `followups: "${facet}" has no "## ${facet}" section in content/${id}.md to answer it`);
    }
    if (intents.refusals.length && !md.front.refusal) {
      problem(contentFile, 'intents list refusals, so the front matter needs a `refusal:` text');
    }
    topics.push({
      ...intents,
      content: {
        title: md.front.title,
        channels: channelRefs(contentFile, md.front.channels),
        sources: ui
          ? [...md.front.sources]
              .sort((a, b) => SOURCE_KINDS.indexOf(a.kind) - SOURCE_KINDS.indexOf(b.kind))
              .map((src) => ({ ...src, kindLabel: ui.source_kinds[src.kind] }))
          : [],
        checked: md.front.checked,
        ...(md.front.refusal ? { refusal: md.front.refusal } : {}),
        summary: toBlocks(md.summary.lines),
        sections,
      },
    });
  }
  const topicIds = new Set(topics.map((t) => t.id));
  for (const name of listDir(contentDir)) {
    const id = name.replace(/\.md$/, '');
    if (name.endsWith('.md') && TOPIC_ID_RE.test(id) && !id.startsWith('meta.') && !intentFiles.includes(`${id}.yaml`)) {
      problem(join(contentDir, name), `content for ${id} has no intents/${id}.yaml`);
    }
  }
  const checkTopicRefs = (file: string, what: string, ids: string[]) => {
    for (const id of ids) if (!topicIds.has(id)) problem(file, `${what}: unknown topic id "${id}"`);
  };
  for (const t of topics) checkTopicRefs(join(intentsDir, `${t.id}.yaml`), 'related', t.related);

  // --- facets, small talk, off-topic, control
  const facetsFile = join(intentsDir, '_facets.yaml');
  const facetsData = yamlFile(facetsFile, facetsFileSchema);
  const facets = Object.entries(facetsData?.facets ?? {}).map(([id, f]) => ({ id: id as Facet, ...f }));
  for (const f of FACETS) if (facetsData && !facets.some((x) => x.id === f)) problem(facetsFile, `facet ${f} has no follow-up phrasings`);

  const smalltalkFile = join(intentsDir, '_smalltalk.yaml');
  const smalltalkData = yamlFile(smalltalkFile, smalltalkFileSchema);
  const smalltalk: SmalltalkIntent[] = [];
  for (const [id, intent] of Object.entries(smalltalkData?.intents ?? {})) {
    const file = join(contentDir, `${id}.md`);
    if (!existsSync(file)) {
      problem(file, `missing: small-talk intent ${id} has no reply file`);
      continue;
    }
    const md = markdownFile(file, smalltalkFrontSchema);
    if (!md?.front) continue;
    if (md.front.id !== id) problem(file, `id "${md.front.id}" does not match the file name (${id})`);
    if (!contentLines(md.summary.lines).length) problem(file, 'missing reply text', md.summary.line);
    checkTopicRefs(file, 'suggest', md.front.suggest);
    smalltalk.push({
      id,
      ...intent,
      title: md.front.title,
      blocks: toBlocks(md.summary.lines),
      channels: channelRefs(file, md.front.channels),
      suggest: md.front.suggest,
    });
  }

  const lexiconFile = join(intentsDir, '_lexicon.yaml');
  const lexiconData = existsSync(lexiconFile) ? yamlFile(lexiconFile, lexiconFileSchema) : { entities: {}, synonyms: {} };
  const lexicon: Lexicon = {
    entities: Object.entries(lexiconData?.entities ?? {}).flatMap(([type, values]) =>
      Object.entries(values).map(([value, v]): LexiconEntry => {
        const { forms, route, inScope, ages } = v;
        return { type, value, forms: forms.map((f) => f.toLowerCase()), ...(route ? { route } : {}), ...(inScope ? { inScope } : {}), ...(ages ? { ages } : {}) };
      }),
    ),
    synonyms: lexiconData?.synonyms ?? {},
  };
  for (const e of lexicon.entities) if (e.route) checkTopicRefs(lexiconFile, `${e.type}.${e.value} route`, [e.route]);
  const values = new Set(lexicon.entities.map((e) => `${e.type}.${e.value}`));
  // (Not when the lexicon itself could not be read: its own problem says why.)
  for (const t of lexiconData ? topics : []) {
    for (const r of t.requires) if (!values.has(r)) problem(join(intentsDir, `${t.id}.yaml`), `requires: "${r}" is no value of intents/_lexicon.yaml`);
  }

  const offTopic = yamlFile(join(intentsDir, '_off-topic.yaml'), offTopicFileSchema)?.utterances ?? [];
  const control = yamlFile(join(intentsDir, '_control.yaml'), controlFileSchema) ?? { reject: [] };

  const page = (name: string): Page => {
    const file = join(contentDir, name);
    const md = markdownFile(file, pageFrontSchema);
    if (!md?.front) return { blocks: [], suggest: [], channels: [] };
    checkTopicRefs(file, 'suggest', md.front.suggest);
    return { blocks: toBlocks(md.summary.lines), suggest: md.front.suggest, channels: channelRefs(file, md.front.channels) };
  };
  const welcome = page('_welcome.md');
  const fallback = page('_fallback.md');

  const neverSayFile = join(contentDir, 'never-say.yaml');
  const neverSay: KnowledgeBase['neverSay'] = [];
  for (const rule of yamlFile(neverSayFile, neverSayFileSchema)?.rules ?? []) {
    try {
      neverSay.push({ pattern: new RegExp(rule.pattern, 'iu'), why: rule.why });
    } catch (err) {
      problem(neverSayFile, `bad pattern ${rule.pattern}: ${(err as Error).message}`);
    }
  }

  if (!topics.length) problem(intentsDir, 'no topics found');
  const kb =
    ui && channelsData && facetsData && smalltalkData
      ? { topics, lexicon, facets, smalltalk, offTopic, control, channels, welcome, fallback, ui, neverSay }
      : null;
  return { kb, sources, problems };
}
