/**
 * The small Markdown dialect of content/*.md: front matter, a summary, then
 * `## <facet>` sections holding paragraphs, numbered steps, bullets and notes.
 */
import type { Block } from '../engine/types.js';

export interface ParsedMarkdown {
  /** Raw YAML between the first two `---` lines. */
  front: string;
  /** Body line number (1-based, in the file) where the body starts. */
  bodyLine: number;
  summary: { lines: string[]; line: number };
  sections: { heading: string; line: number; lines: string[] }[];
}

export class MarkdownError extends Error {}

/** Splits a content file into front matter, summary and sections. */
export function splitMarkdown(text: string): ParsedMarkdown {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  if (lines[0]?.trim() !== '---') throw new MarkdownError('the file must start with a front matter block (a line ---)');
  const end = lines.indexOf('---', 1);
  if (end < 0) throw new MarkdownError('the front matter is not closed (a second line ---)');
  const front = lines.slice(1, end).join('\n');
  const parsed: ParsedMarkdown = {
    front,
    bodyLine: end + 2,
    summary: { lines: [], line: end + 2 },
    sections: [],
  };
  let current = parsed.summary.lines;
  for (let i = end + 1; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      const section = { heading: heading[1]!, line: i + 1, lines: [] as string[] };
      parsed.sections.push(section);
      current = section.lines;
    } else {
      current.push(line);
    }
  }
  return parsed;
}

/** Turns the lines of a summary or section into blocks. */
export function toBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let note: string[] = [];
  let list: { type: 'steps' | 'list'; items: string[] } | null = null;
  const flush = () => {
    if (paragraph.length) blocks.push({ type: 'paragraph', text: paragraph.join('\n') });
    if (note.length) blocks.push({ type: 'note', text: note.join('\n') });
    if (list) blocks.push(list);
    paragraph = [];
    note = [];
    list = null;
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (line.trim() === '') {
      flush();
      continue;
    }
    const step = /^\d+[.、)]\s*(.+)$/.exec(line);
    const bullet = /^[-*]\s+(.+)$/.exec(line);
    const quote = /^>\s?(.*)$/.exec(line);
    if (step || bullet) {
      const type = step ? 'steps' : 'list';
      if (!list || list.type !== type) {
        flush();
        list = { type, items: [] };
      }
      list.items.push((step ?? bullet)![1]!.trim());
    } else if (quote) {
      if (!note.length) flush();
      note.push(quote[1]!.trim());
    } else if (list && /^\s+\S/.test(line)) {
      list.items[list.items.length - 1] += line.trim();
    } else {
      if (list || note.length) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return blocks;
}

/** Every non-empty summary line, for the "at most 3 lines" rule. */
export const contentLines = (lines: string[]): string[] => lines.filter((l) => l.trim() !== '');
