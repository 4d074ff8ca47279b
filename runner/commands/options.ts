import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { SubmissionError, UsageError } from '../core/errors.ts';
import type { Lab } from '../lab/load.ts';
import type { LabLimits } from '../lab/schema.ts';
import { collectSubmission, type Submission } from '../submission/collect.ts';

/** Options shared by commands that run checks. */
export const RUN_OPTIONS = {
  sandbox: { type: 'string' },
  timeout: { type: 'string' },
  'test-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parses one `--<flag> S` into seconds, from 1 to 3600, or throws a usage error. */
function seconds(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 1 || n > 3600) throw new UsageError(`--${flag} must be a number of seconds between 1 and 3600, not "${value}".`);
  return n;
}

/** A whole number from 1 to `max` given as --<flag>, or undefined when not given; else a usage error. */
export function wholeNumber(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${flag} must be a whole number from 1 to ${max}, not "${value}".`);
  return n;
}

/** A fraction from 0 to 1 given as --<flag>, or undefined when not given; else a usage error. */
export function fraction(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${flag} must be a number from 0 to 1, like 0.5, not "${value}".`);
  return n;
}

/** Parses --timeout S (the wall clock) and --test-timeout S (each check) into a limits override. */
export function limitsOverride(values: { timeout?: string; 'test-timeout'?: string }): Partial<LabLimits> {
  return {
    ...(values.timeout !== undefined && { timeout_s: seconds('timeout', values.timeout) }),
    ...(values['test-timeout'] !== undefined && { test_timeout_s: seconds('test-timeout', values['test-timeout']) }),
  };
}

/** Collects the submission to grade from --submission, --solution or the lab's workspace, or throws why not. */
export function pickSubmission(lab: Lab, opts: { submission?: string; solution?: boolean; 'files-by-name'?: boolean }, root: string): Submission {
  if (opts.submission && opts.solution) throw new UsageError('Use either --submission or --solution, not both.');
  let dir = lab.dir;
  let source = `workspace ${lab.dir.slice(root.length + 1)}`;
  if (opts.solution) {
    dir = resolve(lab.dir, 'solution');
    source = `solution of ${lab.manifest.id}`;
    if (!existsSync(dir)) throw new SubmissionError(`${lab.manifest.id} has no solution/ folder.`, 'Student copies made by `ailab release` do not include solutions.');
  } else if (opts.submission) {
    dir = resolve(opts.submission);
    source = opts.submission;
    if (!existsSync(dir)) throw new SubmissionError(`--submission ${opts.submission} does not exist.`, 'Point --submission at a folder holding the lab\'s editable files (or a copy of the repo).');
    if (!statSync(dir).isDirectory()) throw new SubmissionError(`--submission ${opts.submission} is not a folder.`, 'Extract archives first, or point at the folder that holds src/.');
  }
  if (opts['files-by-name'] && !opts.submission) throw new UsageError('--files-by-name goes with --submission DIR.', 'It matches files uploaded without their folders (Gradescope, PrairieLearn) to the editable files of the same name.');
  const sub = collectSubmission(lab, dir, source, { byName: opts['files-by-name'] });
  if (sub.problems.length > 0) {
    const where = opts.submission ? `--submission ${opts.submission}` : opts.solution ? 'the solution' : `your workspace (${lab.dir.slice(root.length + 1)})`;
    const hint = opts.submission || opts.solution
      ? `Editable files are: ${lab.manifest.files.join(', ')}.`
      : `Restore a missing starter file with \`git checkout -- labs/${lab.name}/<file>\`. Editable files are: ${lab.manifest.files.join(', ')}.`;
    throw new SubmissionError(`Cannot grade ${where}:\n${sub.problems.map((p) => `  - ${p}`).join('\n')}`, hint);
  }
  return sub;
}
