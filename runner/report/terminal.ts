import { failedToCompile, notCompiling, renderCompileErrors } from '../results/compile.ts';
import type { CheckResult, Results } from '../results/schema.ts';
import type { Colors } from '../ui/colors.ts';

const SYMBOL: Record<CheckResult['status'], string> = { pass: '✓', fail: '✗', error: '!', timeout: '⏱', missing: '?', skipped: '-' };

/** Word-wraps one line to `width` columns, keeping its indentation; a word longer than the width gets a line of its own. */
function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const indent = /^\s*/.exec(line)![0];
  const out: string[] = [];
  let current = '';
  for (const word of line.slice(indent.length).split(/ +/)) {
    if (current && indent.length + current.length + 1 + word.length > width) {
      out.push(indent + current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) out.push(indent + current);
  return out;
}

/**
 * Trims a message to what matters: at most `maxLines` lines. Lines are never cut: on a terminal
 * of known width they are wrapped to it, elsewhere (a pipe, a file, CI) they are kept whole.
 */
export function trimMessage(message: string, maxLines = 10, width?: number): string[] {
  const lines = message.split('\n').flatMap((l) => (width ? wrap(l, width) : [l]));
  return lines.length > maxLines ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`] : lines;
}

function statusColor(c: Colors, status: CheckResult['status']): (s: string) => string {
  return status === 'pass' ? c.green : status === 'skipped' ? c.dim : status === 'fail' ? c.red : c.yellow;
}

/**
 * The human report: a table per task, each failing check's message and hint, the score last.
 * `width` is the terminal's width when known: titles are cut and messages wrapped to it; off a
 * terminal nothing is cut.
 */
export function renderTerminal(results: Results, c: Colors, width?: number): string {
  const out: string[] = [];
  const idWidth = Math.max(...results.checks.map((k) => k.id.length));
  const longest = Math.max(...results.checks.map((k) => k.title.length));
  // The row around a title: "  ✓ <id>  " before it, " hidden  10/10  timeout" after it.
  const titleWidth = width ? Math.max(20, Math.min(longest, width - (4 + idWidth + 2) - 24)) : longest;
  const messageWidth = width ? Math.max(40, width - 6) : undefined;
  out.push(`${c.bold(results.lab.id)}  ${results.lab.title}`);
  const sb = results.sandbox;
  out.push(c.dim(`sandbox: ${sb.kind}${sb.image ? ` (${sb.image})` : ''}, ${(sb.durationMs / 1000).toFixed(1)} s`));
  const compile = renderCompileErrors(results);
  if (compile.length > 0) {
    out.push('', c.red(c.bold(`✗ ${notCompiling(results.compile!)}`)));
    for (const line of compile) out.push(line && `  ${line}`);
  }
  if (results.typeErrors?.length) {
    const files = [...new Set(results.typeErrors.map((e) => e.file))].join(', ');
    out.push('', c.yellow(c.bold(`⚠ type errors in ${files} (warnings: they cost no points, but they often explain a failing check)`)));
    for (const e of results.typeErrors) {
      out.push(`  ${e.file}:${e.line}:${e.column}  ${e.message}`);
      for (const line of e.frame.split('\n')) out.push(`    ${line}`);
    }
  }
  for (const task of results.tasks) {
    out.push('');
    const full = task.score === task.maxScore;
    out.push(`${c.bold(task.title)}  ${(full ? c.green : c.dim)(`${task.score}/${task.maxScore}`)}`);
    for (const check of results.checks.filter((k) => k.task === task.id)) {
      const color = statusColor(c, check.status);
      const title = check.title.length > titleWidth ? `${check.title.slice(0, titleWidth - 1)}…` : check.title.padEnd(titleWidth);
      const tag = check.visibility === 'hidden' ? c.dim(' hidden') : '       ';
      out.push(`  ${color(SYMBOL[check.status])} ${check.id.padEnd(idWidth)}  ${title}${tag}  ${color(`${check.points}/${check.maxPoints}`)}${check.status === 'pass' ? '' : `  ${color(check.status)}`}`);
      if (check.status !== 'pass' && check.status !== 'skipped' && check.message && !failedToCompile(results, check)) {
        for (const line of trimMessage(check.message, 10, messageWidth)) out.push(`      ${line}`);
      }
      if (check.status !== 'pass' && check.hint) out.push(`      ${c.cyan('hint:')} ${check.hint}`);
    }
  }
  const hidden = results.checks.filter((k) => k.visibility === 'hidden');
  if (hidden.length > 0) {
    const passed = hidden.filter((k) => k.status === 'pass');
    const skipped = hidden.every((k) => k.status === 'skipped');
    out.push('');
    out.push(
      skipped
        ? `Hidden checks: ${hidden.length} (${hidden.reduce((s, k) => s + k.maxPoints, 0)} points) run when your work is graded.`
        : `Hidden checks: ${hidden.length} (${hidden.reduce((s, k) => s + k.maxPoints, 0)} points), ${passed.length} passed (${passed.reduce((s, k) => s + k.points, 0)} points).`,
    );
  }
  for (const problem of results.problems) out.push(c.yellow(`note: ${problem}`));
  out.push('');
  const pct = results.maxScore > 0 ? Math.round((100 * results.score) / results.maxScore) : 0;
  const color = results.status === 'pass' ? c.green : results.status === 'error' ? c.yellow : c.red;
  out.push(c.bold(color(`Score: ${results.score}/${results.maxScore} (${pct}%)`)) + (results.status === 'pass' ? '  all checks pass' : ''));
  return `${out.join('\n')}\n`;
}
