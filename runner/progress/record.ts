import { AilabError } from '../core/errors.ts';
import type { Results } from '../results/schema.ts';
import { labProgress, MAX_RUNS, type Progress, type RunRecord } from './schema.ts';
import { updateProgress, warn } from './store.ts';

/** The fraction of points a run scored, 0 when a lab has no points. */
function ratio(run: RunRecord): number {
  return run.maxScore > 0 ? run.score / run.maxScore : 0;
}

/** Adds one graded run to a lab's history: the last 50 runs, the best run and the last run. */
export function addRun(progress: Progress, results: Results, at = new Date()): void {
  const lab = labProgress(progress, results.lab.id);
  const run: RunRecord = {
    at: at.toISOString(),
    score: results.score,
    maxScore: results.maxScore,
    status: results.status,
    notPassing: results.checks.filter((c) => c.status !== 'pass' && c.status !== 'skipped').map((c) => c.id),
  };
  lab.runs = [...lab.runs, run].slice(-MAX_RUNS);
  lab.lastRun = run;
  if (!lab.best || ratio(run) >= ratio(lab.best)) lab.best = run;
  progress.labs[results.lab.id] = lab;
}

/**
 * Records a run of the learner's workspace. Grading must never be lost to bookkeeping, so a
 * history that cannot be written is a warning here, not an error.
 */
export function saveRun(root: string, results: Results, onWarning: (text: string) => void = warn): void {
  try {
    updateProgress(root, (p) => addRun(p, results), onWarning);
  } catch (error) {
    if (!(error instanceof AilabError)) throw error;
    onWarning(`${error.message}\n  Your score was not saved to your progress. ${error.hint ?? ''}`.trimEnd());
  }
}

/** Total hint rungs revealed in a lab. */
export function hintsUsed(progress: Progress, labId: string): number {
  return Object.values(labProgress(progress, labId).hints).reduce((s, n) => s + n, 0);
}
