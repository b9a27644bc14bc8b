/**
 * `npm run review` on a fixture log (tests/fixtures/question-log/): the groups it finds, stable
 * ids, --ignore, the rates and 👍/👎, the self-contained HTML report, and the CLI itself.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/content/load.js';
import { parseEntry, utcDay, FileQuestionLog, type LogEntry, type QuestionEntry } from '../../src/curation/question-log.js';
import { buildReview, clusterVectors, groupId, type Review } from '../../src/curation/review.js';
import { escapeHtml, renderHtml, renderTable } from '../../src/curation/report.js';
import { realEngine } from '../helpers.js';

const FIXTURE = join(PROJECT_ROOT, 'tests/fixtures/question-log/questions.jsonl');
const HOUR = 3_600_000;

/** The fixture's lines, shifted so the newest is an hour old (the log keeps 30 days). */
function fixtureLines(now = Date.now()): { lines: string[]; entries: LogEntry[] } {
  const raw = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
  const parsed = raw.map((l) => {
    try {
      return JSON.parse(l) as { t?: number };
    } catch {
      return null;
    }
  });
  const newest = Math.max(...parsed.flatMap((p) => (p && typeof p.t === 'number' && p.t > 1e12 ? [p.t] : [])));
  const shift = now - HOUR - newest;
  const lines = raw.map((l, i) => {
    const p = parsed[i];
    return p && typeof p.t === 'number' && p.t > 1e12 ? JSON.stringify({ ...p, t: p.t + shift }) : l;
  });
  const entries = lines.flatMap((l) => {
    try {
      const e = parseEntry(JSON.parse(l));
      return e ? [e] : [];
    } catch {
      return [];
    }
  });
  return { lines, entries };
}

const EXPECTED_GROUPS = [
  ['微信零钱能买股票吗', '零钱可以炒股吗', '用微信零钱买股票安全吗', '微信能不能买股票'],
  ['转账多久到账', '微信转账到账时间', '转账几天能到账'],
  ['红包限额是多少', '发红包最多能发多少钱', '微信红包上限多少'],
  ['刷脸认证不通过怎么办', '人脸识别一直失败', '刷脸失败怎么办'],
  ['微信怎么开通亲属卡', '亲属卡额度怎么改'],
  ['视频号的认证怎么取消'],
  ['今天天气怎么样'],
  ['微信支付分怎么开通'],
  ['朋友圈怎么设置三天可见'],
  ['怎么改微信号'],
  ['微信群怎么解散'],
];
const asSets = (review: Review) => review.groups.map((g) => new Set(g.texts.map((t) => t.text)));

describe('grouping the fixture log', () => {
  let review: Review;
  let entries: LogEntry[];
  beforeAll(() => {
    entries = fixtureLines().entries;
    review = buildReview(entries, realEngine(), { days: 30 });
  });

  it('finds the expected groups: paraphrases together, unrelated questions apart', () => {
    const got = asSets(review);
    expect(got).toHaveLength(EXPECTED_GROUPS.length);
    for (const group of EXPECTED_GROUPS) expect(got).toContainEqual(new Set(group));
  });

  it('counts repeated questions and orders groups by size, texts by how often they were asked', () => {
    const stocks = review.groups[0]!;
    expect(stocks.count).toBe(5);
    expect(stocks.texts[0]).toEqual({ text: '微信零钱能买股票吗', count: 2 });
    expect(review.groups.map((g) => g.count)).toEqual([...review.groups.map((g) => g.count)].sort((a, b) => b - a));
    expect(stocks.channels).toMatchObject({ web: expect.any(Number) });
    expect(stocks.reasons).toEqual({ fallback: 5 });
    expect(review.questions).toBe(23);
  });

  it('gives each group its nearest topic and facet with a score', () => {
    const face = review.groups.find((g) => g.texts.some((t) => t.text === '刷脸失败怎么办'))!;
    expect(face.nearest).toMatchObject({ topic: 'realname.verify', name: expect.any(String) });
    expect(face.nearest!.score).toBeGreaterThan(0);
    expect(face.facet?.facet).toMatch(/^[a-z]+$/);
    for (const g of review.groups) expect(realEngine().topics.map((t) => t.id)).toContain(g.nearest!.topic);
  });

  it('has ids that are stable across runs and new entries: a digest of the group\'s earliest text', () => {
    const again = buildReview(entries, realEngine(), { days: 30 });
    expect(again.groups.map((g) => g.id)).toEqual(review.groups.map((g) => g.id));
    const stocks = review.groups[0]!;
    expect(stocks.id).toBe(groupId('微信零钱能买股票吗'));
    const later: QuestionEntry = { ...(entries.find((e) => e.type === 'question') as QuestionEntry), t: Date.now(), text: '零钱能不能买股票' };
    const grown = buildReview([...entries, later], realEngine(), { days: 30 });
    expect(grown.groups.find((g) => g.id === stocks.id)?.texts.map((t) => t.text)).toContain('零钱能不能买股票');
  });

  it('hides ignored groups, also once they have grown', () => {
    const stocks = review.groups[0]!;
    const ignored = [{ id: stocks.id, texts: stocks.texts.map((t) => t.text), at: Date.now() }];
    const hidden = buildReview(entries, realEngine(), { days: 30, ignored });
    expect(hidden.groups.map((g) => g.id)).not.toContain(stocks.id);
    expect(hidden.hidden.map((g) => [g.id, g.action])).toEqual([[stocks.id, 'ignore']]);
    const accepted = buildReview(entries, realEngine(), { days: 30, ignored: [{ ...ignored[0]!, action: 'accept', topic: 'other.platforms' }] });
    expect(accepted.hidden[0]).toMatchObject({ id: stocks.id, action: 'accept', topic: 'other.platforms' });
    expect(renderTable(accepted, 'x')).toContain('1 group(s) accepted into other.platforms (hidden)');
    // Another id (a new earliest text), mostly the same texts: still hidden.
    const earlier: QuestionEntry = { ...(entries.find((e) => e.type === 'question') as QuestionEntry), t: 1, text: '零钱能不能买股票' };
    const grown = buildReview([earlier, ...entries], realEngine(), { days: 30, ignored });
    expect(grown.groups.some((g) => g.texts.some((t) => t.text === '零钱可以炒股吗'))).toBe(false);
  });

  it('reports the no-answer, clarify and suggestion rates overall, per channel and per day, and 👍/👎 per topic', () => {
    expect(review.totals).toMatchObject({ typed: 180, fallback: 33, clarify: 9, offered: 144, followed: 45 });
    expect(review.totals.noAnswerRate).toBeCloseTo(33 / 180);
    expect(review.totals.clarifyRate).toBeCloseTo(9 / 180);
    expect(review.totals.followedRate).toBeCloseTo(45 / 144);
    expect(review.channels.map((c) => [c.channel, c.typed])).toEqual([
      ['web', 120],
      ['telegram', 60],
    ]);
    expect(review.daily).toHaveLength(3);
    expect(review.daily.every((d) => d.typed === 60)).toBe(true);
    expect(review.feedback).toEqual([
      { topic: 'realname.verify', name: expect.any(String), up: 1, down: 3 },
      { topic: 'realname.remove', name: expect.any(String), up: 5, down: 2 },
      { topic: 'account.delete', name: expect.any(String), up: 3, down: 0 },
    ]);
  });

  it('prints a table with ids, counts, nearest topics and examples', () => {
    const table = renderTable(review, 'file question-log');
    expect(table).toContain('no answer 18.3% (33)');
    expect(table).toContain(review.groups[0]!.id);
    expect(table).toMatch(/微信零钱能买股票吗 ×2/);
    expect(table).toMatch(/realname\.verify .* 👍\s+1\s+👎\s+3/);
  });
});

describe('clusterVectors', () => {
  it('merges by average cosine down to the threshold, deterministically', () => {
    const v = (o: Record<string, number>) => {
      const n = Math.hypot(...Object.values(o));
      return new Map(Object.entries(o).map(([k, x]) => [k, x / n]));
    };
    const vectors = [v({ a: 1, b: 1 }), v({ a: 1, b: 0.9 }), v({ c: 1 }), v({ c: 1, d: 0.2 }), v({ e: 1 })];
    expect(clusterVectors(vectors, 0.5)).toEqual([[0, 1], [2, 3], [4]]);
    expect(clusterVectors(vectors, 0.9999)).toEqual([[0], [1], [2], [3], [4]]);
    expect(clusterVectors([], 0.5)).toEqual([]);
  });
});

describe('the HTML report', () => {
  it('is self-contained: no script, nothing loaded from anywhere, its own CSP forbids it', () => {
    const { entries } = fixtureLines();
    const html = renderHtml(buildReview(entries, realEngine(), { days: 30 }), 'file question-log');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|<object|<embed/i);
    expect(html).not.toMatch(/\b(src|href|srcset|action|xlink:href)\s*=/i);
    expect(html).not.toMatch(/url\(|@import|@font-face/i);
    expect(html).not.toMatch(/https?:|\/\//);
    // A chart per measure (inline SVG), and every group.
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(7);
    for (const title of ['No answer (fallback) per day', 'Clarify', 'Suggestions followed per day', '👍/👎 per topic']) expect(html).toContain(escapeHtml(title));
    expect(html).toContain('微信零钱能买股票吗');
  });

  it('escapes every text, even a hostile line planted in the log file', () => {
    const { entries } = fixtureLines();
    const evil = '<img src=x onerror=alert(1)>"\'&';
    const planted: QuestionEntry = { ...(entries.find((e) => e.type === 'question') as QuestionEntry), text: evil, channel: '<b>x</b>' };
    const html = renderHtml(buildReview([...entries, planted], realEngine(), { days: 30 }), '<where>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(html).toContain('&lt;where&gt;');
  });
});

describe('npm run review', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'review-cli-'));
    writeFileSync(join(dir, `questions-${utcDay(Date.now())}.jsonl`), fixtureLines().lines.join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const review = (...args: string[]) => {
    const { REDIS_URL: _r, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/review.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, QUESTION_LOG_DIR: dir, QUESTION_LOG_DAYS: '30' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    return r;
  };

  it('prints the groups as JSON, writes the report, and --ignore hides a group from later runs', () => {
    const out = join(dir, 'report.html');
    const first = review('--json', '--out', out);
    expect(first.status, first.stderr).toBe(0);
    const json = JSON.parse(first.stdout) as Review;
    expect(json.groups).toHaveLength(EXPECTED_GROUPS.length);
    expect(existsSync(out)).toBe(true);
    const stocks = json.groups[0]!.id;

    const ignore = review('--ignore', stocks);
    expect(ignore.status, ignore.stderr).toBe(0);
    expect(ignore.stdout).toContain(`hid ${stocks}`);
    expect(JSON.parse(readFileSync(join(dir, 'ignored.json'), 'utf8'))).toEqual([expect.objectContaining({ id: stocks, action: 'ignore' })]);

    const table = review('--out', out);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).not.toContain(stocks);
    expect(table.stdout).toContain('1 group(s) ignored (hidden)');
    expect(table.stdout).toContain('report: ');

    const unknown = review('--ignore', 'g000000');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no group g000000');
  });

  it('reads entries through the same log class the bot writes with', async () => {
    const log = new FileQuestionLog(dir, { days: 30 });
    expect((await log.read()).length).toBe(fixtureLines().entries.length);
  });
});
