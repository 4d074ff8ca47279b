import { appendFileSync } from 'node:fs';
import type { Results } from '../results/schema.ts';
import { renderTerminal } from './terminal.ts';
import pc from 'picocolors';

/** Escapes a workflow-command message (GitHub's rules: %, CR and LF). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow-command property value: the message rules plus : and ,. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error title=...::message` lines, one per check that did not pass. */
export function renderAnnotations(results: Results): string {
  return results.checks
    .filter((c) => c.status !== 'pass' && c.status !== 'skipped')
    .map((c) => {
      const title = `${results.lab.id} ${c.id} (${c.status}, 0/${c.maxPoints})`;
      const message = [c.message ?? `${c.title}: ${c.status}`, c.hint ? `hint: ${c.hint}` : ''].filter(Boolean).join('\n');
      return `::error title=${escapeProperty(title)}::${escapeData(message)}\n`;
    })
    .join('');
}

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** The job summary: the score, then a Markdown table of every check. */
export function renderSummary(results: Results): string {
  const pct = results.maxScore > 0 ? Math.round((100 * results.score) / results.maxScore) : 0;
  const mark = { pass: '✅', fail: '❌', error: '⚠️', timeout: '⏱️', missing: '❓', skipped: '➖' } as const;
  const lines = [
    `## ${cell(results.lab.id)}: ${cell(results.lab.title)}`,
    '',
    `**Score: ${results.score}/${results.maxScore} (${pct}%)**${results.status === 'pass' ? ', all checks pass' : ''}`,
    '',
    '| | check | task | status | points |',
    '| --- | --- | --- | --- | --- |',
    ...results.checks.map((c) => `| ${mark[c.status]} | \`${c.id}\`${c.visibility === 'hidden' ? ' (hidden)' : ''} | ${cell(results.tasks.find((t) => t.id === c.task)?.title ?? c.task)} | ${c.status} | ${c.points}/${c.maxPoints} |`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The GitHub Actions reporter: failure annotations and the plain report on stdout, and a job
 * summary appended to $GITHUB_STEP_SUMMARY when the runner sets it.
 */
export function renderGithub(results: Results, env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, renderSummary(results));
  return `${renderAnnotations(results)}${renderTerminal(results, pc.createColors(false))}`;
}
