import type { Lab } from '../lab/load.ts';
import type { GradeRow } from './exports.ts';

/** Mean, median, a 10-bucket distribution and the three hardest checks of a graded class. */
export function summarize(lab: Lab, rows: GradeRow[]): string {
  const graded = rows.filter((r) => r.results);
  const pcts = graded.map((r) => (100 * r.results!.score) / lab.maxScore).sort((a, b) => a - b);
  const mean = pcts.reduce((s, x) => s + x, 0) / Math.max(1, pcts.length);
  const median = pcts.length === 0 ? 0 : pcts.length % 2 ? pcts[(pcts.length - 1) / 2] : (pcts[pcts.length / 2 - 1] + pcts[pcts.length / 2]) / 2;
  const buckets = Array.from({ length: 10 }, (_, i) => pcts.filter((p) => (i === 9 ? p >= 90 : p >= i * 10 && p < (i + 1) * 10)).length);
  const widest = Math.max(1, ...buckets);
  const out = [
    `graded ${graded.length} of ${rows.length} student(s); errors: ${graded.filter((r) => r.results!.status === 'error').length}; no submission: ${rows.length - graded.length}`,
    `mean ${mean.toFixed(1)}%   median ${median.toFixed(1)}%`,
    '',
    'distribution:',
    ...buckets.map((n, i) => `  ${String(i * 10).padStart(3)}-${i === 9 ? '100' : String(i * 10 + 9).padEnd(3)}% ${'#'.repeat(Math.round((30 * n) / widest)).padEnd(30)} ${n}`),
  ];
  if (graded.length > 0) {
    const rates = lab.checks.map((c) => ({ id: c.id, rate: graded.filter((r) => r.results!.checks.find((k) => k.id === c.id)?.status === 'pass').length / graded.length }));
    rates.sort((a, b) => a.rate - b.rate || a.id.localeCompare(b.id));
    out.push('', 'hardest checks:', ...rates.slice(0, 3).map((r) => `  ${r.id.padEnd(28)} ${(100 * r.rate).toFixed(0)}% pass`));
  }
  return `${out.join('\n')}\n`;
}
