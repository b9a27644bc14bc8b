import { describe, it, expect, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadContent, readContent, ContentError, PROJECT_ROOT } from '../../src/content/load.js';
import { copyOfData } from '../helpers.js';

let data: ReturnType<typeof copyOfData> | undefined;
afterEach(() => data?.cleanup());

/** The problems after one edit to a copy of the real data. */
function problemsAfter(file: string, change: (t: string) => string) {
  data = copyOfData();
  data.edit(file, change);
  return readContent(data.root).problems;
}

describe('loadContent', () => {
  it('loads the real content: every topic with a summary, channels and sources', () => {
    const kb = loadContent();
    expect(kb.topics.length).toBeGreaterThanOrEqual(16);
    for (const t of kb.topics) {
      expect(t.content.summary.length, t.id).toBeGreaterThan(0);
      expect(t.content.channels.length, t.id).toBeGreaterThan(0);
      expect(t.content.sources.length, t.id).toBeGreaterThan(0);
      expect(t.content.checked, t.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('expands [[channel]] placeholders', () => {
    const texts = loadContent()
      .topics.flatMap((t) => [...t.content.summary, ...[...t.content.sections.values()].flat()])
      .map((b) => ('text' in b ? b.text : 'items' in b ? b.items.join('\n') : ''));
    expect(texts.join('\n')).toContain('注销微信支付');
    expect(texts.filter((t) => t.includes('[['))).toEqual([]);
  });

  it('reports a YAML syntax error with file and line', () => {
    const problems = problemsAfter('intents/account.delete.yaml', (t) => t.replace('utterances:', 'utterances: [oops'));
    expect(problems[0]).toMatchObject({ file: 'intents/account.delete.yaml' });
    expect(problems[0]!.message).toMatch(/YAML/);
  });

  it('reports a missing summary', () => {
    const problems = problemsAfter('content/account.delete.md', (t) => t.replace(/^(---\n[\s\S]*?\n---\n)[\s\S]*?(?=\n## )/, '$1'));
    expect(problems).toContainEqual(expect.objectContaining({ file: 'content/account.delete.md', message: expect.stringMatching(/missing summary/) }));
  });

  it('reports missing sources and checked date', () => {
    const problems = problemsAfter('content/account.delete.md', (t) =>
      t.replace(/\nsources:\n(  - [\s\S]*?\n)(?=checked:)/, '\n').replace(/\nchecked: .*\n/, '\n'),
    );
    const messages = problems.filter((p) => p.file === 'content/account.delete.md').map((p) => p.message).join('\n');
    expect(messages).toMatch(/sources/);
    expect(messages).toMatch(/checked/);
  });

  it('reports unknown channel, topic and facet ids', () => {
    data = copyOfData();
    data.edit('content/account.delete.md', (t) => t.replace(/^channels: \[/m, 'channels: [no-such-channel, ').replace('## steps', '## stepz'));
    data.edit('intents/account.delete.yaml', (t) => t.replace(/^related: \[/m, 'related: [no.such, '));
    const messages = readContent(data.root).problems.map((p) => `${p.file}: ${p.message}`).join('\n');
    expect(messages).toMatch(/content\/account.delete.md: unknown channel id "no-such-channel"/);
    expect(messages).toMatch(/intents\/account.delete.yaml: related: unknown topic id "no.such"/);
    expect(messages).toMatch(/unknown section "## stepz"/);
  });

  it('reports a required value that the lexicon does not have, and how to write one', () => {
    const unknown = problemsAfter('intents/deceased.account.yaml', (t) => t.replace('requires: [status.deceased]', 'requires: [status.dead]'));
    expect(unknown.map((p) => `${p.file}: ${p.message}`)).toEqual(['intents/deceased.account.yaml: requires: "status.dead" is no value of intents/_lexicon.yaml']);
    data?.cleanup();
    const malformed = problemsAfter('intents/deceased.account.yaml', (t) => t.replace('requires: [status.deceased]', 'requires: [Deceased]'));
    expect(malformed.map((p) => p.message).join('\n')).toMatch(/type\.value, such as status\.deceased/);
  });

  it('says to quote a line or a lexicon form that YAML reads as a number', () => {
    data = copyOfData();
    data.edit('intents/account.delete.yaml', (t) => t.replace(/^utterances:\n  - .*$/m, 'utterances:\n  - 95017'));
    data.edit('intents/_lexicon.yaml', (t) => t.replace(/^(    service: \[)/m, '$1400, '));
    const messages = readContent(data.root).problems.map((p) => `${p.file}: ${p.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^intents\/account.delete.yaml: utterances.0: the line 95017 is not text to YAML: put it in quotes \('95017'\)/));
    expect(messages).toContainEqual(expect.stringMatching(/^intents\/_lexicon.yaml: entities.object.service.forms.0: the form 400 is not text to YAML: put it in quotes/));
    // Quoted, both load.
    data.edit('intents/account.delete.yaml', (t) => t.replace('  - 95017', "  - '95017'"));
    data.edit('intents/_lexicon.yaml', (t) => t.replace('[400, ', "['400', "));
    expect(readContent(data.root).problems).toEqual([]);
  });

  it('says what a lexicon value or type name must look like, naming it', () => {
    data = copyOfData();
    data.edit('intents/_lexicon.yaml', (t) => t.replace(/^(  platform:\n)/m, "$1    railway12306: { forms: ['12306'], route: other.platforms }\n"));
    const messages = readContent(data.root).problems.map((p) => `${p.file}: ${p.message}`);
    expect(messages).toEqual([
      'intents/_lexicon.yaml: entities.platform.railway12306: the name "railway12306" is not allowed: values are lower-case words such as wechat',
    ]);
  });

  it('reports a content file without intents and intents without content', () => {
    data = copyOfData();
    data.edit('content/account.delete.md', () => '');
    const problems = readContent(data.root).problems;
    expect(problems.some((p) => p.file === 'content/account.delete.md')).toBe(true);
  });

  it('throws ContentError listing the problems', () => {
    data = copyOfData();
    data.edit('content/channels.yaml', (t) => t.replace('    kind: phone', '    kind: fax'));
    expect(() => loadContent(data!.root)).toThrow(ContentError);
  });

  it('stops start-up with one clear message, not a stack trace', () => {
    data = copyOfData();
    data.edit('intents/account.delete.yaml', (t) => t.replace(/^name: .*$/m, 'name: 这个名字远远超过八个字符的限制'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
      const { loadContent, ContentError } = await import(${JSON.stringify(join(PROJECT_ROOT, 'src/content/load.ts'))});
      try { loadContent(${JSON.stringify(data.root)}) } catch (e) { if (e instanceof ContentError) { console.error(e.message); process.exit(1) } throw e }
    `], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/intents\/account\.delete\.yaml: name: display names are at most 8 characters/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
