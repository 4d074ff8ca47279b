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

/** report.html: one self-contained file (no network): a score histogram, pass rate per check, a sortable table. */
export function reportHtml(lab: Lab, rows: GradeRow[], leads?: ClassSimilarity): string {
  const graded = rows.filter((r) => r.results);
  const pcts = graded.map((r) => (100 * r.results!.score) / lab.maxScore);
  const buckets = Array.from({ length: 10 }, (_, i) => ({ label: `${i * 10}–${i === 9 ? 100 : i * 10 + 9}%`, value: pcts.filter((p) => (i === 9 ? p >= 90 : p >= i * 10 && p < i * 10 + 10)).length, max: 0 }));
  const maxBucket = Math.max(1, ...buckets.map((b) => b.value));
  buckets.forEach((b) => (b.max = maxBucket));
  const rates = lab.checks.map((c) => ({
    label: c.id,
    value: graded.length ? Math.round((100 * graded.filter((r) => r.results!.checks.find((k) => k.id === c.id)?.status === 'pass').length) / graded.length) : 0,
    max: 100,
  }));
  const tableRows = rows
    .map(({ student, results }) => `<tr${results ? ` data-sha256="${esc(results.submission.sha256)}"` : ''}><td${results ? ` title="${esc(`submission ${results.submission.sha256.slice(0, 16)} · lab version ${results.lab.version} · graded ${results.finishedAt}`)}"` : ''}>${esc(student)}</td><td>${results?.status ?? 'no-submission'}</td><td data-sort="${results?.score ?? -1}">${results?.score ?? 0}</td>${lab.checks.map((c) => `<td>${results?.checks.find((k) => k.id === c.id)?.points ?? 0}</td>`).join('')}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(lab.manifest.id)} grades</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
svg text{font-size:12px;fill:#222} svg rect{fill:#4c78a8}
table{border-collapse:collapse} th,td{border:1px solid #ccc;padding:3px 6px;text-align:right} td:first-child,th:first-child{text-align:left}
th{cursor:pointer;background:#f3f3f3} figure{margin:1rem 0} figcaption{font-weight:600;margin-bottom:.3rem}
.caveat{background:#fff8e1;border-left:4px solid #f0b400;padding:.4rem .6rem;max-width:60rem}
details.pair{margin:.6rem 0;border:1px solid #ddd;padding:.3rem .5rem} details.pair:target{outline:2px solid #4c78a8}
.heads,.region{display:grid;grid-template-columns:1fr 1fr;gap:.5rem} .heads{font-weight:600;margin:.3rem 0}
.side{min-width:0} .side pre{overflow-x:auto;background:#fafafa;margin:.2rem 0 .6rem;padding:.3rem;font-size:12px}
.where{font-size:12px;color:#555} mark{background:#ffe08a;display:inline-block;width:100%} .ln{display:inline-block;width:3em;color:#888;user-select:none}
@media (max-width:700px){.heads,.region{grid-template-columns:1fr}}
</style></head><body>
<h1>${esc(lab.manifest.id)}: ${esc(lab.manifest.title)}</h1>
<p id="summary">${graded.length} graded of ${rows.length} students · mean ${(pcts.reduce((s, x) => s + x, 0) / Math.max(1, pcts.length)).toFixed(1)}%</p>
${barChart('histogram', 'Score distribution (students per band)', buckets)}
${barChart('pass-rates', 'Pass rate per check', rates, '%')}
<h2>Students</h2>
<table id="students"><thead><tr><th>student</th><th>status</th><th>score</th>${lab.checks.map((c) => `<th>${esc(c.id)}</th>`).join('')}</tr></thead>
<tbody>
${tableRows}
</tbody></table>
${similaritySection(leads)}
<script>
// Click a header to sort by that column; click again to reverse.
// A link to a pair opens it.
const openTarget = () => { const el = location.hash && document.getElementById(location.hash.slice(1)); if (el && el.tagName === 'DETAILS') el.open = true; };
addEventListener('hashchange', openTarget); openTarget();
document.querySelectorAll('#students th').forEach((th, col) => th.addEventListener('click', () => {
  const body = document.querySelector('#students tbody');
  const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = (tr) => { const td = tr.children[col]; const v = td.dataset.sort ?? td.textContent; return isNaN(Number(v)) ? v : Number(v); };
  [...body.rows].sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * dir).forEach((tr) => body.appendChild(tr));
}));
</script>
</body></html>
`;
}
