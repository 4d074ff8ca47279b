import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.ts';
import type { LabLimits } from '../lab/schema.ts';
import { readResultsFile, ResultsSchema, type Results } from '../results/schema.ts';
import { guardWrite } from './output-errors.ts';

/** The path of a student's result. */
export function resultPath(out: string, student: string): string {
  return join(out, 'results', `${student}.json`);
}

/** Writes a validated result atomically; a full disk is an E_DISK_FULL error and leaves no partial file. */
export function saveResult(out: string, student: string, results: Results): void {
  const path = resultPath(out, student);
  const json = `${JSON.stringify(ResultsSchema.parse(results), null, 2)}\n`;
  guardWrite(out, `results/${student}.json`, () => {
    mkdirSync(join(out, 'results'), { recursive: true });
    writeFileAtomic(path, json);
  });
}

/** What a grade run is, for deciding whether a saved result still stands for it. */
export interface RunIdentity {
  labVersion: string;
  limits: LabLimits;
  runnerVersion: string;
  sandboxKind: 'docker' | 'local';
  image?: string;
}

/**
 * Why a saved result can't be reused by --resume, or undefined when it can: everything that can
 * change a score must be the same (the lab version, the limits in force, the runner's version,
 * the sandbox and its image), and the sandbox must have graded it. The submission hash is checked
 * where the submission is opened.
 */
export function staleBecause(saved: Results, now: RunIdentity): string | undefined {
  if (saved.sandbox.failure) return 'the sandbox failed to grade it';
  if (saved.lab.version !== now.labVersion) return `the lab changed (version ${saved.lab.version} → ${now.labVersion})`;
  // A submission that could not be graded as given never reached a sandbox: its limits and image don't matter.
  if (saved.sandbox.durationMs === 0) return undefined;
  const changed = (Object.keys(now.limits) as (keyof LabLimits)[]).filter((k) => saved.sandbox.limits[k] !== now.limits[k]);
  if (changed.length > 0) return `the limits changed (${changed.map((k) => `${k} ${saved.sandbox.limits[k]} → ${now.limits[k]}`).join(', ')})`;
  if (saved.runner.version !== now.runnerVersion) return `the runner changed (${saved.runner.version} → ${now.runnerVersion})`;
  if (saved.sandbox.kind !== now.sandboxKind) return `the sandbox changed (${saved.sandbox.kind} → ${now.sandboxKind})`;
  if (now.image && saved.sandbox.image !== now.image) return `the sandbox image changed (${saved.sandbox.image ?? 'none'} → ${now.image})`;
  return undefined;
}

/** Reads a saved result, or undefined when it is absent or invalid (it will be graded again). */
export function loadResult(out: string, student: string): Results | undefined {
  return readResultsFile(resultPath(out, student));
}
