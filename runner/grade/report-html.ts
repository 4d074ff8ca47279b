import type { Lab } from '../lab/load.ts';
import type { ClassSimilarity } from '../similarity/class.ts';
import type { Span } from '../similarity/compare.ts';
import type { GradeRow } from './exports.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A bar chart as inline SVG: one bar per label, with the count written on it. */
function barChart(id: string, title: string, bars: { label: string; value: number; max: number }[], unit = ''): string {
  const w = 720;
  const rowH = 22;
  const left = 190;
  const h = bars.length * rowH + 30;
  const body = bars
    .map((b, i) => {
      const y = 24 + i * rowH;
      const len = b.max > 0 ? ((w - left - 60) * b.value) / b.max : 0;
      return `<g class="bar" data-label="${esc(b.label)}" data-value="${b.value}"><text x="${left - 8}" y="${y + 14}" text-anchor="end">${esc(b.label)}</text><rect x="${left}" y="${y}" width="${len.toFixed(1)}" height="${rowH - 6}"/><text x="${(left + len + 6).toFixed(1)}" y="${y + 14}">${b.value}${unit}</text></g>`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg id="${id}" role="img" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}">${body}</svg></figure>`;
}

/** Lines around a shared span that the side-by-side view shows unmarked. */
const CONTEXT = 2;

/** One side of a shared region: the file's lines around the span, numbered, the span itself marked. */
function sideOf(who: string, files: Map<string, string> | undefined, span: Span): string {
  const lines = (files?.get(span.file) ?? '').split(/\r?\n/);
  const from = Math.max(1, span.from - CONTEXT);
  const to = Math.min(lines.length, span.to + CONTEXT);
  const body = lines
    .slice(from - 1, to)
    .map((text, i) => {
      const n = from + i;
      const row = `<span class="ln">${n}</span>${esc(text)}`;
      return n >= span.from && n <= span.to ? `<mark>${row}</mark>` : row;
    })
    .join('\n');
  return `<div class="side"><div class="where"><b>${esc(who)}</b> · ${esc(span.file)}:${span.from}–${span.to}</div><pre>${body}</pre></div>`;
}

/** The similarity section: what a lead is, the pairs, and each pair's shared code side by side. */
function similaritySection(leads: ClassSimilarity | undefined): string {
  if (!leads) return '';
  const { similarity: s, sources } = leads;
  const note = '<p class="caveat">Similarity is a lead for a person to check, never a verdict: it does not change any score. Identical means the same editable files byte for byte; near means shared code after names, literals, comments and layout are set aside, with the starter\'s own code left out.</p>';
  if (s.pairs.length === 0) return `<h2 id="similarity">Similarity leads</h2>${note}<p>No pair at or above ${s.threshold}.</p>`;
  const table = s.pairs
    .map((p, i) => `<tr><td><a href="#pair-${i}">${esc(p.a)}</a></td><td><a href="#pair-${i}">${esc(p.b)}</a></td><td>${p.kind}</td><td data-sort="${p.score}">${p.score.toFixed(2)}</td><td>${p.regions.length}</td></tr>`)
    .join('\n');
  const details = s.pairs
    .map((p, i) => {
      const body =
        p.kind === 'identical'
          ? '<p>The editable files are identical (the same submission hash).</p>'
          : p.regions.map((r) => `<div class="region">${sideOf(p.a, sources.get(p.a), r.a)}${sideOf(p.b, sources.get(p.b), r.b)}</div>`).join('');
      return `<details class="pair" id="pair-${i}" data-a="${esc(p.a)}" data-b="${esc(p.b)}"><summary>${esc(p.a)} and ${esc(p.b)}: ${p.kind}, ${p.score.toFixed(2)}</summary><div class="heads"><span>${esc(p.a)}</span><span>${esc(p.b)}</span></div>${body}</details>`;
    })
    .join('\n');
  return `<h2 id="similarity">Similarity leads</h2>${note}
<table id="pairs"><thead><tr><th>a</th><th>b</th><th>kind</th><th>score</th><th>regions</th></tr></thead><tbody>
${table}
</tbody></table>
${details}`;
}

/** A row's status for a cell: a check's status, or "missing" for a student with no submission or no result for it. */
type CellStatus = 'pass' | 'fail' | 'error' | 'timeout' | 'missing' | 'skipped';

/** The colours of the statuses, shared by the table, the heatmap and the legend. */
const STATUS_CSS = `.st-pass{background:#d9f2d9}.st-fail{background:#f8d0d0}.st-error{background:#f3b0e6}.st-timeout{background:#ffd9a8}.st-missing{background:#e4e4e4;color:#666}.st-skipped{background:#eef}`;

/** The legend for the status colours. */
const legend = `<p class="legend">${(['pass', 'fail', 'error', 'timeout', 'missing', 'skipped'] as const).map((s) => `<span class="chip st-${s}">${s}</span>`).join(' ')}</p>`;

/** One student's panel: the run's identity, failing checks with their messages and hints, notes and similarity leads. */
function studentPanel(lab: Lab, row: GradeRow, i: number, leads: { pair: number; other: string; kind: string; score: number }[]): string {
  const r = row.results;
  const head = `<summary>${esc(row.student)}: ${r ? `${r.score}/${r.maxScore} (${r.status})` : 'no submission'}</summary>`;
  if (!r) return `<details class="student" id="student-${i}" data-student="${esc(row.student)}">${head}<p>No submission was found for this student.</p></details>`;
  const failing = r.checks.filter((c) => c.status !== 'pass');
  const checks = failing.length === 0
    ? '<p>Every check passes.</p>'
    : `<ul class="failing">${failing.map((c) => `<li><span class="chip st-${c.status}">${c.status}</span> <b>${esc(c.id)}</b> (${c.points}/${c.maxPoints}, ${c.visibility}): ${esc(c.title)}${c.message ? `<pre class="msg">${esc(c.message)}</pre>` : ''}${c.hint ? `<div class="hint">Hint: ${esc(c.hint)}</div>` : ''}</li>`).join('')}</ul>`;
  const notes = r.problems.length ? `<h4>Notes</h4><ul>${r.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '';
  const sim = leads.length ? `<h4>Similarity leads</h4><ul class="leads">${leads.map((l) => `<li><a href="#pair-${l.pair}">${esc(l.other)}</a>: ${l.kind}, ${l.score.toFixed(2)}</li>`).join('')}</ul>` : '';
  const tasks = `<p class="tasks">${r.tasks.map((t) => `${esc(t.id)} ${t.score}/${t.maxScore}`).join(' · ')}</p>`;
  const meta = `<dl class="meta"><dt>submission</dt><dd><code>${esc(r.submission.sha256)}</code></dd><dt>graded</dt><dd>${esc(r.finishedAt)}</dd><dt>lab version</dt><dd>${esc(r.lab.version)}</dd><dt>sandbox</dt><dd>${esc(r.sandbox.kind)}${r.sandbox.host ? ` on ${esc(r.sandbox.host)}` : ''}, ${(r.sandbox.durationMs / 1000).toFixed(1)} s${r.sandbox.failure ? `; failed: ${esc(r.sandbox.failure)}` : ''}</dd><dt>feedback</dt><dd><a href="feedback/${encodeURIComponent(row.student)}.md">feedback/${esc(row.student)}.md</a></dd></dl>`;
  return `<details class="student" id="student-${i}" data-student="${esc(row.student)}">${head}${tasks}${checks}${notes}${sim}${meta}</details>`;
}

/** The checks × students heatmap: a row per check, a small cell per student (best score first), each a link to the student. */
function heatmap(lab: Lab, rows: GradeRow[], cell: (row: GradeRow, id: string) => CellStatus): string {
  const order = rows.map((row, i) => ({ row, i })).sort((x, y) => (y.row.results?.score ?? -1) - (x.row.results?.score ?? -1) || (x.row.student < y.row.student ? -1 : 1));
  const lines = lab.checks
    .map((c) => `<div class="hm-row"><span class="hm-label" title="${esc(c.test)}">${esc(c.id)}</span><span class="hm-cells">${order.map(({ row, i }) => `<a class="hm st-${cell(row, c.id)}" href="#student-${i}" title="${esc(`${row.student} · ${c.id}: ${cell(row, c.id)}`)}"></a>`).join('')}</span></div>`)
    .join('\n');
  return `<h2 id="heatmap">Checks × students</h2><p>One row per check, one cell per student, best score on the left; a cell links to the student.</p>${legend}<div class="hm-wrap">${lines}</div>`;
}

/** The share of graded students (whole per cent) who pass a check. */
function passRate(graded: GradeRow[], id: string): number {
  return graded.length ? Math.round((100 * graded.filter((r) => r.results!.checks.find((k) => k.id === id)?.status === 'pass').length) / graded.length) : 0;
}

/** The per-task view: each task's share of points over the class, and its checks' pass rates. */
function taskView(lab: Lab, rows: GradeRow[]): string {
  const graded = rows.filter((r) => r.results);
  const body = lab.manifest.tasks
    .map((task) => {
      const max = graded.length * task.checks.reduce((s, c) => s + c.points, 0);
      const got = graded.reduce((s, r) => s + (r.results!.tasks.find((t) => t.id === task.id)?.score ?? 0), 0);
      const checks = task.checks.map((c) => `${esc(c.id)} ${passRate(graded, c.id)}%`).join(' · ');
      return `<tr><td>${esc(task.id)}</td><td>${esc(task.title)}</td><td data-sort="${max ? got / max : 0}">${max ? Math.round((100 * got) / max) : 0}%</td><td class="checks">${checks}</td></tr>`;
    })
    .join('\n');
  return `<h2 id="tasks">Tasks</h2><div class="scroll"><table id="task-table" class="sortable"><thead><tr><th>task</th><th>title</th><th>points earned</th><th>checks passed by</th></tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/**
 * report.html: one self-contained file (no network): a score histogram, pass rate per check, the
 * tasks, a checks × students heatmap, a sortable student table (names kept in view, cells coloured
 * by status) whose names open each student's panel, and the similarity leads.
 */
export function reportHtml(lab: Lab, rows: GradeRow[], leads?: ClassSimilarity): string {
  const graded = rows.filter((r) => r.results);
  const pcts = graded.map((r) => (100 * r.results!.score) / lab.maxScore);
  const buckets = Array.from({ length: 10 }, (_, i) => ({ label: `${i * 10}–${i === 9 ? 100 : i * 10 + 9}%`, value: pcts.filter((p) => (i === 9 ? p >= 90 : p >= i * 10 && p < i * 10 + 10)).length, max: 0 }));
  const maxBucket = Math.max(1, ...buckets.map((b) => b.value));
  buckets.forEach((b) => (b.max = maxBucket));
  const rates = lab.checks.map((c) => ({
    label: c.id,
    value: passRate(graded, c.id),
    max: 100,
  }));
  const cell = (row: GradeRow, id: string): CellStatus => row.results?.checks.find((k) => k.id === id)?.status ?? 'missing';
  const pairs = leads?.similarity.pairs ?? [];
  const leadsOf = (student: string) => pairs.flatMap((p, pair) => (p.a === student ? [{ pair, other: p.b, kind: p.kind, score: p.score }] : p.b === student ? [{ pair, other: p.a, kind: p.kind, score: p.score }] : []));
  const tableRows = rows
    .map((row, i) => {
      const { student, results } = row;
      const n = leadsOf(student).length;
      const checks = lab.checks.map((c) => {
        const k = results?.checks.find((x) => x.id === c.id);
        return `<td class="st-${k?.status ?? 'missing'}" title="${esc(`${c.id}: ${k ? `${k.status}${k.message ? ` · ${k.message.split('\n')[0].slice(0, 160)}` : ''}` : 'missing'}`)}">${k?.points ?? 0}</td>`;
      });
      return `<tr${results ? ` data-sha256="${esc(results.submission.sha256)}"` : ''}><td${results ? ` title="${esc(`submission ${results.submission.sha256.slice(0, 16)} · lab version ${results.lab.version} · graded ${results.finishedAt}`)}"` : ''}><a href="#student-${i}">${esc(student)}</a></td><td class="st-${results ? (results.status === 'error' ? 'error' : results.status) : 'missing'}">${results?.status ?? 'no-submission'}</td><td data-sort="${results?.score ?? -1}">${results?.score ?? 0}</td><td data-sort="${n}">${n ? `<a href="#student-${i}">${n}</a>` : ''}</td>${checks.join('')}</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(lab.manifest.id)} grades</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1rem 2rem;color:#222}
svg text{font-size:12px;fill:#222} svg rect{fill:#4c78a8} svg{max-width:100%;height:auto}
table{border-collapse:separate;border-spacing:0} th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap} td:first-child,th:first-child{text-align:left}
th{cursor:pointer;background:#f3f3f3;position:sticky;top:0;z-index:1} figure{margin:1rem 0} figcaption{font-weight:600;margin-bottom:.3rem}
.scroll{overflow:auto;max-height:80vh;max-width:100%;border:1px solid #ddd}
#students td:first-child,#students th:first-child{position:sticky;left:0;background:#fff;z-index:2} #students th:first-child{z-index:3;background:#f3f3f3}
${STATUS_CSS}
.chip{display:inline-block;padding:0 .4em;border-radius:3px;font-size:12px}
.hm-wrap{overflow-x:auto} .hm-row{display:flex;align-items:center;height:12px;margin:1px 0} .hm-label{flex:0 0 11rem;font-size:11px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.hm-cells{display:flex;gap:1px} .hm{display:block;width:4px;height:11px} .hm:hover{outline:1px solid #000}
details.student{margin:.3rem 0;border:1px solid #ddd;padding:.3rem .5rem} details.student:target,details.pair:target{outline:2px solid #4c78a8}
pre.msg{white-space:pre-wrap;background:#fafafa;padding:.3rem;margin:.2rem 0;font-size:12px;max-height:14rem;overflow:auto} .hint{color:#555}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem} dl.meta dt{color:#666} dl.meta dd{margin:0;overflow-wrap:anywhere}
td.checks{text-align:left;white-space:normal}
.caveat{background:#fff8e1;border-left:4px solid #f0b400;padding:.4rem .6rem;max-width:60rem}
details.pair{margin:.6rem 0;border:1px solid #ddd;padding:.3rem .5rem}
.heads,.region{display:grid;grid-template-columns:1fr 1fr;gap:.5rem} .heads{font-weight:600;margin:.3rem 0}
.side{min-width:0} .side pre{overflow-x:auto;background:#fafafa;margin:.2rem 0 .6rem;padding:.3rem;font-size:12px}
.where{font-size:12px;color:#555} mark{background:#ffe08a;display:inline-block;width:100%} .ln{display:inline-block;width:3em;color:#888;user-select:none}
nav a{margin-right:.8rem}
@media (max-width:700px){body{margin:.5rem}.heads,.region{grid-template-columns:1fr}.hm-label{flex-basis:7rem}}
</style></head><body>
<h1>${esc(lab.manifest.id)}: ${esc(lab.manifest.title)}</h1>
<nav><a href="#students">students</a><a href="#tasks">tasks</a><a href="#heatmap">heatmap</a><a href="#similarity">similarity</a><a href="#details">each student</a></nav>
<p id="summary">${graded.length} graded of ${rows.length} students · mean ${(pcts.reduce((s, x) => s + x, 0) / Math.max(1, pcts.length)).toFixed(1)}%</p>
${barChart('histogram', 'Score distribution (students per band)', buckets)}
${barChart('pass-rates', 'Pass rate per check', rates, '%')}
<h2>Students</h2>
${legend}
<div class="scroll"><table id="students" class="sortable"><thead><tr><th>student</th><th>status</th><th>score</th><th>leads</th>${lab.checks.map((c) => `<th title="${esc(c.test)}">${esc(c.id)}</th>`).join('')}</tr></thead>
<tbody>
${tableRows}
</tbody></table></div>
${taskView(lab, rows)}
${heatmap(lab, rows, cell)}
${similaritySection(leads)}
<h2 id="details">Each student</h2>
${rows.map((row, i) => studentPanel(lab, row, i, leadsOf(row.student))).join('\n')}
<script>
// A link to a student or a pair opens it.
const openTarget = () => { const el = location.hash && document.getElementById(location.hash.slice(1)); if (el && el.tagName === 'DETAILS') el.open = true; };
addEventListener('hashchange', openTarget); openTarget();
// Click a header to sort by that column; click again to reverse.
document.querySelectorAll('table.sortable').forEach((table) => table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
  const body = table.tBodies[0];
  const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = (tr) => { const td = tr.children[col]; const v = td.dataset.sort ?? td.textContent; return v !== '' && !isNaN(Number(v)) ? Number(v) : v; };
  [...body.rows].sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * dir).forEach((tr) => body.appendChild(tr));
})));
</script>
</body></html>
`;
}
