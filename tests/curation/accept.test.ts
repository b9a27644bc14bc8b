/**
 * `npm run review -- --accept`: a group's phrasings appended to a topic's training lines, on a
 * copy of the data; the YAML stays valid with its comments, and the content check passes.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT, loadContent } from '../../src/content/load.js';
import { checkContent } from '../../src/content/check.js';
import { createEngine } from '../../src/engine/engine.js';
import { acceptPhrasings, appendToUtterances, AcceptError, yamlItem } from '../../src/curation/accept.js';
import { copyOfData, realKnowledge } from '../helpers.js';

let copy: ReturnType<typeof copyOfData> | undefined;
afterEach(() => {
  copy?.cleanup();
  copy = undefined;
});

describe('appendToUtterances', () => {
  it('adds the lines at the end of utterances:, before refusals:, under a comment, touching nothing else', () => {
    const before = readFileSync(join(PROJECT_ROOT, 'intents/scam.warning.yaml'), 'utf8');
    const after = appendToUtterances(before, ['代解绑实名要先交押金吗', '95017'], 'from review 2026-12-01');
    const was = parseYaml(before);
    const now = parseYaml(after);
    expect(now.utterances).toEqual([...was.utterances, '代解绑实名要先交押金吗', '95017']);
    expect(now.refusals).toEqual(was.refusals);
    // The old text is all there, in order; the new lines sit right before refusals:.
    const added = after.split('\n').filter((l) => !before.split('\n').includes(l));
    expect(added).toEqual(['  # from review 2026-12-01', '  - 代解绑实名要先交押金吗', '  - "95017"']);
    expect(after.replace(added.join('\n') + '\n', '')).toBe(before);
    expect(after.indexOf('# from review')).toBeLessThan(after.indexOf('refusals:'));
  });

  it('keeps the comments of a commented list (off-topic)', () => {
    const before = readFileSync(join(PROJECT_ROOT, 'intents/_off-topic.yaml'), 'utf8');
    const after = appendToUtterances(before, ['微信红包上限多少'], 'from review 2026-12-01');
    expect(after.startsWith(before.trimEnd())).toBe(true);
    expect(parseYaml(after).utterances.at(-1)).toBe('微信红包上限多少');
  });

  it('quotes what would not read back as the same string', () => {
    expect(yamlItem('刷脸失败怎么办')).toBe('刷脸失败怎么办');
    for (const s of ['95017', 'yes', 'null', '- x', 'a: b', '#tag', '[x]', '*ref', ' lead']) expect(parseYaml(`- ${yamlItem(s)}`)).toEqual([s]);
    expect(() => appendToUtterances('id: x\nname: y\n', ['z'], 'c')).toThrow(AcceptError);
  });
});

describe('acceptPhrasings', () => {
  it('skips a phrasing that is already a follow-up example of a topic (one place only, as npm run check wants)', () => {
    copy = copyOfData();
    const followup = Object.values(realKnowledge().topics.find((t) => t.id === 'realname.verify')!.followups).flat()[0]!;
    const result = acceptPhrasings(copy.root, 'realname.verify', [followup], { date: '2026-12-01' });
    expect(result.added).toEqual([]);
    expect(result.skipped).toEqual([{ text: followup, why: 'already in intents/realname.verify.yaml (followups)' }]);
  });

  it('appends new phrasings only, and the result passes the content check (npm run check)', () => {
    copy = copyOfData();
    const group = [
      '刷脸认证不通过怎么办',
      '人脸识别一直失败',
      '刷脸失败怎么办',
      '刷脸失败怎么办', // twice in the group
      '实名认证刷脸怎么弄', // already a training line
      '实名认证刷脸一直失败', // a held-out phrasing: must stay unseen
    ];
    const before = readFileSync(join(copy.root, 'intents/realname.verify.yaml'), 'utf8');
    const result = acceptPhrasings(copy.root, 'realname.verify', group, { date: '2026-12-01' });
    expect(result.file).toBe('intents/realname.verify.yaml');
    expect(result.added).toEqual(['刷脸认证不通过怎么办', '人脸识别一直失败', '刷脸失败怎么办']);
    expect(result.skipped.map((s) => s.why)).toEqual([
      'the same as another phrasing of the group',
      'already in intents/realname.verify.yaml',
      'a held-out phrasing (kept out of training to measure accuracy)',
    ]);
    const after = readFileSync(join(copy.root, 'intents/realname.verify.yaml'), 'utf8');
    expect(after).toContain('  # from review 2026-12-01\n  - 刷脸认证不通过怎么办\n  - 人脸识别一直失败\n  - 刷脸失败怎么办\n');
    expect(after.split('\n').filter((l) => !before.split('\n').includes(l))).toHaveLength(4);

    const report = checkContent(copy.root, { today: '2026-12-01' });
    expect(report.problems).toEqual([]);
    // The engine built from it answers the group's questions.
    const engine = createEngine(loadContent(copy.root));
    for (const q of ['刷脸认证不通过怎么办', '刷脸失败怎么办']) expect(engine.respond(null, q).reply).toMatchObject({ kind: 'answer', topic: 'realname.verify' });

    // Accepting the same group again adds nothing.
    expect(acceptPhrasings(copy.root, 'realname.verify', group, { date: '2026-12-02' }).added).toEqual([]);
  });

  it('takes oos for off-topic lines, and refuses an unknown topic', () => {
    copy = copyOfData();
    const r = acceptPhrasings(copy.root, 'oos', ['微信红包上限多少'], { date: '2026-12-01' });
    expect(r).toMatchObject({ file: 'intents/_off-topic.yaml', added: ['微信红包上限多少'] });
    expect(() => acceptPhrasings(copy!.root, 'no.such', ['x'], { date: '2026-12-01' })).toThrow(/no topic "no.such"/);
    expect(() => acceptPhrasings(copy!.root, '_lexicon', ['x'], { date: '2026-12-01' })).toThrow(AcceptError);
  });
});
