// Results in the formats of the graders that classes already use: Gradescope's results.json
// (gradescope-autograders.readthedocs.io, "Autograder Specifications") and PrairieLearn's
// externally graded results.json (docs/externalGrading.md, "Grading results").
import pc from 'picocolors';
import { notCompiling } from '../results/compile.ts';
import type { CheckResult, Results } from '../results/schema.ts';
import { renderTerminal } from './terminal.ts';

/** Gradescope's visibility values for a test or a whole result. */
export const GRADESCOPE_VISIBILITY = ['visible', 'hidden', 'after_due_date', 'after_published'] as const;
export type GradescopeVisibility = (typeof GRADESCOPE_VISIBILITY)[number];

/** How a hidden check shows on Gradescope: its result once grades are published, as `grade`'s feedback does. */
export const DEFAULT_HIDDEN_VISIBILITY: GradescopeVisibility = 'after_published';

/** A check's feedback text: its message and hint, or nothing for a pass. */
function feedback(check: CheckResult): string {
  if (check.status === 'pass') return '';
  return [check.message ?? `${check.status}`, check.hint ? `hint: ${check.hint}` : '', check.docs ? `docs: ${check.docs}` : ''].filter(Boolean).join('\n');
}

/** The whole report as plain text: what the learner's terminal would show, without colour. */
function plainReport(results: Results): string {
  return renderTerminal(results, pc.createColors(false), undefined);
}

/** True when nothing of the submission could be graded: no files were taken, or none of it compiled. */
function ungradable(results: Results): boolean {
  return (results.submission.files.length === 0 && results.problems.length > 0) || Boolean(results.compile?.length);
}

/** Gradescope's results.json: one test per check, with points, status, feedback and visibility. */
export function renderGradescope(results: Results, opts: { hiddenVisibility?: GradescopeVisibility } = {}): string {
  const hidden = opts.hiddenVisibility ?? DEFAULT_HIDDEN_VISIBILITY;
  const out = {
    score: results.score,
    execution_time: Math.round(results.sandbox.durationMs / 1000),
    output: plainReport(results),
    output_format: 'text',
    stdout_visibility: 'hidden',
    tests: results.checks.map((check) => ({
      name: `${check.id}: ${check.title}`,
      number: check.id,
      score: check.points,
      max_score: check.maxPoints,
      status: check.status === 'pass' ? 'passed' : 'failed',
      output: feedback(check),
      tags: [check.task, check.status],
      visibility: check.visibility === 'public' ? 'visible' : hidden,
    })),
    extra_data: { lab: results.lab, sha256: results.submission.sha256, status: results.status, runner: results.runner.version },
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * PrairieLearn's results.json: a score from 0 to 1 and one test per check. A submission that could
 * not be graded at all (no editable files, or code that does not compile) is `gradable: false`
 * with its reasons as format_errors: PrairieLearn then charges no attempt.
 */
export function renderPrairieLearn(results: Results): string {
  const gradable = !ungradable(results);
  const reasons = results.compile?.length ? [notCompiling(results.compile), ...results.compile.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`)] : results.problems;
  const out = {
    gradable,
    ...(gradable ? { score: results.maxScore > 0 ? results.score / results.maxScore : 0 } : { format_errors: reasons }),
    message: `${results.lab.id}: ${results.score}/${results.maxScore} points`,
    output: plainReport(results),
    tests: results.checks.map((check) => ({
      name: `${check.id}: ${check.title}`,
      description: results.tasks.find((t) => t.id === check.task)?.title ?? check.task,
      points: check.points,
      max_points: check.maxPoints,
      message: feedback(check) || 'passed',
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
