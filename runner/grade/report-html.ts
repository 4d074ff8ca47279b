import type { Lab } from '../lab/load.ts';
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

/** report.html: one self-contained file (no network): a score histogram, pass rate per check, a sortable table. */
export function reportHtml(lab: Lab, rows: GradeRow[]): string {
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
<script>
// Click a header to sort by that column; click again to reverse.
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
