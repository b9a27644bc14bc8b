/**
 * The review as a terminal table and as one self-contained HTML page
 * (`review/report.html`): inline CSS and SVG only, no script, nothing loaded
 * from anywhere (its own Content-Security-Policy says so), every text escaped.
 */
import type { QuestionGroup, Rates, Review } from './review.js';

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Display width of a string in a terminal: CJK and full-width characters count two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u.test(ch) ? 2 : 1;
  return w;
}
const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - displayWidth(s)));
const cut = (s: string, width: number) => {
  if (displayWidth(s) <= width) return s;
  let out = '';
  for (const ch of s) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return out + '…';
};

const rateLine = (r: Rates) =>
  `typed questions ${r.typed} · no answer ${pct(r.noAnswerRate)} (${r.fallback}) · clarify ${pct(r.clarifyRate)} (${r.clarify}) · suggestions followed ${pct(r.followedRate)} (${r.followed} of ${r.offered})`;

/** ", 1 group accepted into realname.verify, 2 ignored": what the curators' actions hide. */
function hiddenNote(review: Review): string {
  const accepted = review.hidden.filter((g) => g.action === 'accept');
  const ignored = review.hidden.length - accepted.length;
  const topics = [...new Set(accepted.map((g) => g.topic).filter(Boolean))];
  const parts = [
    ...(accepted.length ? [`${accepted.length} group(s) accepted${topics.length ? ` into ${topics.join(', ')}` : ''}`] : []),
    ...(ignored ? [`${ignored} group(s) ignored`] : []),
  ];
  return parts.length ? `, ${parts.join(', ')} (hidden)` : '';
}

/** The terminal version: the rates, the groups table, 👍/👎 per topic. */
export function renderTable(review: Review, where: string): string {
  const lines: string[] = [];
  lines.push(`Question log (${where}): ${day(review.from)} – ${day(review.to)}, entries kept ${review.days} days`);
  lines.push('  ' + rateLine(review.totals));
  for (const c of review.channels) {
    lines.push(`  ${pad(c.channel, 9)} ${c.typed} typed · no answer ${pct(c.noAnswerRate)} · clarify ${pct(c.clarifyRate)} · followed ${pct(c.followedRate)}`);
  }
  lines.push('');
  const shown = review.groups.reduce((s, g) => s + g.count, 0);
  lines.push(
    `${review.questions} logged question(s); ${shown} in ${review.groups.length} group(s)` +
      hiddenNote(review) +
      (review.ungrouped ? `, ${review.ungrouped} rare text(s) not grouped` : ''),
  );
  if (review.groups.length) {
    const header = [pad('group', 9), pad('count', 5), pad('nearest topic (score)', 34), pad('facet (score)', 20), 'examples'];
    lines.push(header.join(' '));
    for (const g of review.groups) lines.push(groupRow(g));
  } else lines.push('  nothing to review');
  lines.push('');
  lines.push('👍/👎 per topic');
  if (!review.feedback.length) lines.push('  no feedback yet');
  for (const f of review.feedback) lines.push(`  ${pad(`${f.topic} ${f.name}`, 34)} 👍 ${String(f.up).padStart(3)}  👎 ${String(f.down).padStart(3)}`);
  return lines.join('\n');
}

function groupRow(g: QuestionGroup): string {
  const nearest = g.nearest ? `${g.nearest.topic} ${g.nearest.name} (${g.nearest.score.toFixed(2)})` : '–';
  const facet = g.facet ? `${g.facet.facet} (${g.facet.score.toFixed(2)})` : '–';
  const examples = g.texts.slice(0, 3).map((t) => (t.count > 1 ? `${t.text} ×${t.count}` : t.text));
  const more = g.texts.length > 3 ? ` … +${g.texts.length - 3}` : '';
  return [pad(g.id, 9), String(g.count).padStart(5), pad(cut(nearest, 34), 34), pad(facet, 20), examples.join(' | ') + more].join(' ');
}

/** Escapes text for HTML content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Bar {
  label: string;
  value: number;
  /** Shown after the bar (default: the value). */
  note?: string;
}

/** A horizontal bar chart as inline SVG; `max` scales the bars (default: the largest value). */
export function barChart(title: string, bars: readonly Bar[], options: { max?: number; color?: string } = {}): string {
  if (!bars.length) return `<figure><figcaption>${escapeHtml(title)}</figcaption><p class="empty">no data yet</p></figure>`;
  const max = options.max ?? Math.max(...bars.map((b) => b.value), 1e-9);
  const rowH = 22;
  const labelW = 190;
  const barW = 360;
  const width = labelW + barW + 120;
  const height = bars.length * rowH + 6;
  const rows = bars
    .map((b, i) => {
      const y = i * rowH + 3;
      const w = max > 0 ? Math.max(0, Math.min(1, b.value / max)) * barW : 0;
      return (
        `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(cut(b.label, 28))}</text>` +
        `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" rx="2" fill="${options.color ?? '#2f6f4f'}"/>` +
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 15}">${escapeHtml(b.note ?? String(b.value))}</text>`
      );
    })
    .join('');
  return (
    `<figure><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">${rows}</svg></figure>`
  );
}

const rateBars = (rows: readonly ({ label: string } & Rates)[], pick: (r: Rates) => number | null, count: (r: Rates) => string): Bar[] =>
  rows.flatMap((r) => {
    const v = pick(r);
    return v === null ? [] : [{ label: r.label, value: v, note: `${pct(v)} (${count(r)})` }];
  });

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:#1d2327;margin:0 auto;max-width:1100px;padding:16px}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccd;padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #ccd;border-radius:6px;padding:8px 14px;min-width:150px}
.card b{display:block;font-size:1.5em}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e2e4e8;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{display:inline-block;height:10px;background:#2f6f4f;border-radius:2px;vertical-align:middle;margin-right:6px}
code{background:#f3f4f6;padding:1px 4px;border-radius:3px;font-size:.9em;word-break:break-all}code.id{white-space:nowrap;word-break:normal}
figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:4px}svg text{font-size:12px;fill:#1d2327}
.empty,.muted{color:#5f6670}ul.texts{margin:0;padding-left:1.2em}details summary{cursor:pointer}
`;

/** The self-contained HTML report. */
export function renderHtml(review: Review, where: string): string {
  const t = review.totals;
  const e = escapeHtml;
  const card = (label: string, value: string, note: string) => `<div class="card">${e(label)}<b>${e(value)}</b><span class="muted">${e(note)}</span></div>`;
  const daily = review.daily.map((d) => ({ label: d.day, ...d }));
  const channels = review.channels.map((c) => ({ label: c.channel, ...c }));
  const maxCount = Math.max(1, ...review.groups.map((g) => g.count));

  const groupRows = review.groups
    .map((g) => {
      const nearest = g.nearest ? `${e(g.nearest.topic)} ${e(g.nearest.name)} <span class="muted">(${g.nearest.score.toFixed(2)})</span>` : '–';
      const facet = g.facet ? `${e(g.facet.facet)} <span class="muted">(${g.facet.score.toFixed(2)})</span>` : '–';
      const item = (x: { text: string; count: number }) => `<li>${e(x.text)}${x.count > 1 ? ` <span class="muted">×${x.count}</span>` : ''}</li>`;
      const rest = g.texts.slice(3);
      const list =
        `<ul class="texts">${g.texts.slice(0, 3).map(item).join('')}</ul>` +
        (rest.length ? `<details><summary>${rest.length} more</summary><ul class="texts">${rest.map(item).join('')}</ul></details>` : '');
      const reasons = Object.entries(g.reasons)
        .map(([r, n]) => `${e(r)} ${n}`)
        .join(', ');
      const topic = g.nearest?.topic ?? '<topic>';
      return (
        `<tr><td><code class="id">${e(g.id)}</code></td><td class="n"><span class="bar" style="width:${Math.round((60 * g.count) / maxCount)}px"></span>${g.count}</td>` +
        `<td>${list}</td><td>${nearest}<br>${facet}</td><td class="muted">${reasons}<br>${e(day(g.first))} – ${e(day(g.last))}</td>` +
        `<td><code>npm run review -- --accept ${e(g.id)} ${e(topic)}</code><br><code>npm run review -- --ignore ${e(g.id)}</code></td></tr>`
      );
    })
    .join('');

  const feedbackBars = review.feedback.flatMap((f) => [
    { label: `${f.topic} 👍 useful`, value: f.up },
    { label: `${f.topic} 👎 not useful`, value: f.down },
  ]);
  const maxFeedback = Math.max(1, ...feedbackBars.map((b) => b.value));

  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>realname-helper: what people asked (${e(day(review.from))} – ${e(day(review.to))})</title>
<style>${STYLE}</style></head><body>
<h1>What people asked that the bot could not answer</h1>
<p class="muted">${e(where)} · ${e(day(review.from))} – ${e(day(review.to))} · entries are kept ${review.days} days · made ${e(new Date(review.to).toISOString().slice(0, 16).replace('T', ' '))} UTC</p>
<div class="cards">
${card('typed questions', String(t.typed), `${review.questions} logged for review`)}
${card('no answer', pct(t.noAnswerRate), `${t.fallback} fallback replies`)}
${card('clarify', pct(t.clarifyRate), `${t.clarify} "which one?" replies`)}
${card('suggestions followed', pct(t.followedRate), `${t.followed} of ${t.offered} replies with suggestions`)}
</div>
<h2>Groups of similar questions</h2>
<p>${review.groups.length} group(s)${e(hiddenNote(review))}${review.ungrouped ? `, ${review.ungrouped} rare text(s) not grouped` : ''}. Accepting a group adds its phrasings to the topic's training lines; check the topic first.</p>
${
  review.groups.length
    ? `<table><thead><tr><th>group</th><th>count</th><th>phrasings</th><th>nearest topic / facet</th><th>why logged, when</th><th>actions</th></tr></thead><tbody>${groupRows}</tbody></table>`
    : '<p class="empty">nothing to review</p>'
}
<h2>Measures</h2>
${barChart('No answer (fallback) per day', rateBars(daily, (r) => r.noAnswerRate, (r) => `${r.fallback}/${r.typed}`), { max: 1, color: '#b3452f' })}
${barChart('Clarify ("which one?") per day', rateBars(daily, (r) => r.clarifyRate, (r) => `${r.clarify}/${r.typed}`), { max: 1, color: '#a66a00' })}
${barChart('Suggestions followed per day', rateBars(daily, (r) => r.followedRate, (r) => `${r.followed}/${r.offered}`), { max: 1 })}
${barChart('No answer per channel', rateBars(channels, (r) => r.noAnswerRate, (r) => `${r.fallback}/${r.typed}`), { max: 1, color: '#b3452f' })}
${barChart('Clarify per channel', rateBars(channels, (r) => r.clarifyRate, (r) => `${r.clarify}/${r.typed}`), { max: 1, color: '#a66a00' })}
${barChart('Suggestions followed per channel', rateBars(channels, (r) => r.followedRate, (r) => `${r.followed}/${r.offered}`), { max: 1 })}
${barChart('Questions per group', review.groups.slice(0, 30).map((g) => ({ label: `${g.id} ${g.texts[0]?.text ?? ''}`, value: g.count })), { max: maxCount })}
<h2>Feedback per topic (👍 useful / 👎 not useful)</h2>
${barChart('👍/👎 per topic, all channels', feedbackBars, { max: maxFeedback, color: '#3b5ba5' })}
</body></html>
`;
}
