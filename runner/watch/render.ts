import { renderCompileErrors } from '../results/compile.ts';
import { trimMessage } from '../report/terminal.ts';
import type { Results } from '../results/schema.ts';
import type { Colors } from '../ui/colors.ts';

/** A clock time, HH:MM:SS, for "when did this run finish". */
export function clock(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

/** The watch screen after a run: a one-line summary, then the first failing check only, its message wrapped to `width` when the terminal's is known. */
export function renderWatchResult(results: Results, c: Colors, at: Date, width?: number): string {
  const passing = results.checks.filter((k) => k.status === 'pass').length;
  const pct = results.maxScore > 0 ? Math.round((100 * results.score) / results.maxScore) : 0;
  const ok = results.status === 'pass';
  const mark = ok ? c.green('✓') : c.red('✗');
  const counts = ok ? `all ${results.checks.length} checks pass` : `${passing} of ${results.checks.length} checks pass`;
  const out = [`${mark} ${c.bold(results.lab.id)}  ${results.score}/${results.maxScore} (${pct}%)  ${counts}  ${c.dim(`at ${clock(at)}`)}`];
  const first = results.checks.find((k) => k.status !== 'pass' && k.status !== 'skipped');
  const compile = renderCompileErrors(results);
  if (compile.length > 0) {
    out.push('', ...compile);
  } else if (first) {
    out.push('');
    out.push(`${c.bold(first.id)}  ${first.title}${first.visibility === 'hidden' ? c.dim(' (hidden)') : ''}  ${c.red(first.status)}  ${first.points}/${first.maxPoints}`);
    if (first.message) for (const line of trimMessage(first.message, 15, width ? Math.max(40, width - 2) : undefined)) out.push(`  ${line}`);
    if (first.hint) out.push(`  ${c.cyan('hint:')} ${first.hint}`);
  } else {
    out.push('', c.green('Every check passes. Well done!'));
  }
  for (const problem of results.problems) out.push(c.yellow(`note: ${problem}`));
  return `${out.join('\n')}\n`;
}
