import { closest } from '../cli.ts';
import { UsageError } from '../core/errors.ts';
import type { Lab } from '../lab/load.ts';
import { labProgress, type Progress } from './schema.ts';

type LabCheckEntry = Lab['checks'][number];

/** A check's hint ladder: `hint:` is one rung or a list of rungs. */
export function hintLadder(check: LabCheckEntry): string[] {
  return Array.isArray(check.hint) ? check.hint : [check.hint];
}

/**
 * The check to give a hint for: the one named, else the first check that did not pass in the
 * last run, else the first check.
 */
export function pickHintCheck(lab: Lab, progress: Progress, id?: string): { check: LabCheckEntry; why: string } {
  if (id !== undefined) {
    const check = lab.checks.find((c) => c.id === id);
    if (!check) {
      const guess = closest(id, lab.checks.map((c) => c.id));
      throw new UsageError(`${lab.manifest.id} has no check "${id}".${guess ? ` Did you mean "${guess}"?` : ''}`, `Its checks: ${lab.checks.map((c) => c.id).join(', ')}.`);
    }
    return { check, why: '' };
  }
  const last = labProgress(progress, lab.manifest.id).lastRun;
  if (!last) return { check: lab.checks[0], why: 'no run recorded yet, so starting with the first check' };
  const stuck = lab.checks.find((c) => last.notPassing.includes(c.id));
  if (stuck) return { check: stuck, why: 'the first check that did not pass in your last run' };
  return { check: lab.checks[0], why: 'every check passed in your last run' };
}

/** Reveals the next rung for a check in place; returns how many are now shown and whether that was new. */
export function revealNext(progress: Progress, lab: Lab, check: LabCheckEntry): { shown: number; total: number; revealed: boolean } {
  const total = hintLadder(check).length;
  const entry = labProgress(progress, lab.manifest.id);
  const used = Math.min(entry.hints[check.id] ?? 0, total);
  if (used >= total) return { shown: total, total, revealed: false };
  entry.hints[check.id] = used + 1;
  progress.labs[lab.manifest.id] = entry;
  return { shown: used + 1, total, revealed: true };
}
