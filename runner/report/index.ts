import type { Results } from '../results/schema.ts';
import { colors } from '../ui/colors.ts';
import { renderGithub } from './github.ts';
import { renderJunit } from './junit.ts';
import { GRADESCOPE_VISIBILITY, renderGradescope, renderPrairieLearn, type GradescopeVisibility } from './platforms.ts';
import { renderTerminal } from './terminal.ts';

/** Reporters by name: each renders one results object to text. */
export const REPORTERS: Record<string, (results: Results) => string> = {
  terminal: (results) => renderTerminal(results, colors(process.stdout), process.stdout.isTTY ? process.stdout.columns : undefined),
  json: (results) => `${JSON.stringify(results, null, 2)}\n`,
  junit: renderJunit,
  github: (results) => renderGithub(results),
  gradescope: (results) => renderGradescope(results, { hiddenVisibility: gradescopeHidden() }),
  prairielearn: renderPrairieLearn,
};

/** Reporters for a grading platform's results file: a submission that can't be collected is still a result there. */
export const PLATFORM_REPORTERS = new Set(['gradescope', 'prairielearn']);

/** How Gradescope shows hidden checks: AILAB_GRADESCOPE_HIDDEN, which an exported bundle sets. */
function gradescopeHidden(): GradescopeVisibility | undefined {
  const v = process.env.AILAB_GRADESCOPE_HIDDEN;
  return (GRADESCOPE_VISIBILITY as readonly string[]).includes(v ?? '') ? (v as GradescopeVisibility) : undefined;
}

/** The reporter names, for --help and errors. */
export const REPORTER_NAMES = Object.keys(REPORTERS);
