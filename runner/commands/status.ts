import { join } from 'node:path';
import { parseOptions } from '../cli.ts';
import { EXIT } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { loadLab } from '../lab/load.ts';
import { listLabDirs } from '../lab/resolve.ts';
import { readProgress } from '../progress/store.ts';
import { labStatuses, pct, shortTime, suggestNext, type LabStatus } from '../progress/summary.ts';
import { colors, type Colors } from '../ui/colors.ts';

const HELP = `Usage: ailab status [--json]

Shows every lab with its difficulty, estimated time, your best score, your last run and the
hints you used (from .ailab/progress.json), then suggests what to do next.

Options:
  --json       print the rows and the suggestion as JSON
  -h, --help   show this help

Examples:
  npm run lab -- status
  npm run lab -- status --json`;

/** Renders the status table and the suggestion as text. */
export function renderStatus(rows: LabStatus[], c: Colors): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const table = [
    ['lab', 'title', 'level', 'time', 'best', 'last run', 'hints'],
    ...rows.map((r) => [
      r.id,
      cut(r.title, 40),
      r.difficulty,
      `${r.estimatedMinutes} min`,
      r.best ? `${r.best.score}/${r.best.maxScore} (${pct(r.best)})` : '-',
      r.lastRun ? `${pct(r.lastRun)} at ${shortTime(r.lastRun.at)}` : 'never',
      String(r.hintsUsed),
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const lines = table.map((row, n) => {
    const text = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
    if (n === 0) return c.dim(text);
    return rows[n - 1].best?.status === 'pass' ? c.green(text) : text;
  });
  return `${lines.join('\n')}\n\n${c.bold('Next:')} ${suggestNext(rows)}\n`;
}

/** `ailab status`: progress across every lab, and what to do next. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } }, 'status [--json]');
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const root = courseRoot();
  const labs = listLabDirs(root).map((name) => loadLab(join(root, 'labs', name), root));
  const rows = labStatuses(labs, readProgress(root));
  if (values.json) process.stdout.write(`${JSON.stringify({ labs: rows, next: suggestNext(rows) }, null, 2)}\n`);
  else process.stdout.write(renderStatus(rows, colors()));
  return EXIT.ok;
}
