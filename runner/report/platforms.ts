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

/** A check's feedback on a platform: its message and hint, or nothing for a pass. */
function feedback(check: CheckResult): string {
  return check.status === 'pass' ? '' : [check.message, check.hint ? `Hint: ${check.hint}` : ''].filter(Boolean).join('\n\n');
}

/**
 * Gradescope's results.json, for `check --reporter gradescope` and `grade`'s gradescope/ folder:
 * one test per check, with points, status, feedback and visibility.
 */
export function renderGradescope(results: Results, opts: { hiddenVisibility?: GradescopeVisibility } = {}): string {
  const hidden = opts.hiddenVisibility ?? DEFAULT_HIDDEN_VISIBILITY;
  return `${JSON.stringify(
    {
      score: results.score,
      execution_time: Math.round(results.sandbox.durationMs / 1000),
      // What went wrong with the whole submission (a missing file, code that calls process.exit) is said once, here.
      output: [`${results.lab.id}: ${results.score}/${results.maxScore}`, ...results.problems.map((p) => `- ${p}`)].join('\n'),
      visibility: 'visible',
      stdout_visibility: 'hidden',
      tests: results.checks.map((c) => ({
        name: `${c.id}: ${c.title}`,
        number: c.id,
        score: c.points,
        max_score: c.maxPoints,
        status: c.status === 'pass' ? 'passed' : 'failed',
        output: feedback(c),
        visibility: c.visibility === 'hidden' ? hidden : 'visible',
      })),
    },
    null,
    2,
  )}\n`;
}

/**
 * PrairieLearn's results.json: a score from 0 to 1 and one test per check. A submission that could
 * not be graded at all (no editable files were taken, or none of it compiles) is `gradable: false`
 * with its reasons as format_errors: PrairieLearn then charges no attempt.
 */
export function renderPrairieLearn(results: Results): string {
  const compile = results.compile ?? [];
  const nothingTaken = results.submission.files.length === 0 && results.problems.length > 0;
  const gradable = compile.length === 0 && !nothingTaken;
  const outcome = gradable
    ? { score: results.maxScore > 0 ? results.score / results.maxScore : 0 }
    : { format_errors: compile.length > 0 ? [notCompiling(compile), ...compile.map((e) => `${e.file}:${e.line}:${e.column} ${e.message}`)] : results.problems };
  const out = {
    gradable,
    ...outcome,
    message: `${results.lab.id}: ${results.score}/${results.maxScore} points`,
    output: renderTerminal(results, pc.createColors(false), undefined),
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
