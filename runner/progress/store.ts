import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.ts';
import { StateWriteError } from '../core/errors.ts';
import { formatIssues } from '../lab/issues.ts';
import { colors } from '../ui/colors.ts';
import { emptyProgress, ProgressSchema, type Progress } from './schema.ts';

/** Where the history lives, relative to the course root. */
export const PROGRESS_PATH = '.ailab/progress.json';

/** A timestamp that is safe in a file name: 2026-11-23T17-01-02-123Z. */
export function fileStamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/** Prints a warning on stderr. */
export function warn(text: string): void {
  process.stderr.write(`${colors(process.stderr).yellow('warning:')} ${text}\n`);
}

/** Turns a failed write into a typed error that says which folder to fix. */
export function writeFailure(what: string, error: unknown): StateWriteError {
  const code = (error as NodeJS.ErrnoException)?.code ?? 'unknown';
  const reason = (error as Error)?.message ?? String(error);
  return new StateWriteError(`Cannot write ${what}: ${reason}`, `ailab keeps its state in .ailab/ under the course folder. Make that folder writable (${code}), or run ailab from a copy you own.`, { cause: error });
}

/**
 * Reads the history. A missing file is an empty history; a corrupt or invalid one is reported,
 * moved aside to progress.json.corrupt-<timestamp>, and replaced by an empty history, never a crash.
 */
export function readProgress(root: string, onWarning: (text: string) => void = warn): Progress {
  const file = join(root, PROGRESS_PATH);
  if (!existsSync(file)) return emptyProgress();
  let problem: string;
  try {
    const parsed = ProgressSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
    problem = formatIssues(parsed.error).slice(0, 3).join('; ');
  } catch (error) {
    problem = (error as Error).message.replace(/\s+/g, ' ').trim();
  }
  const backup = `${PROGRESS_PATH}.corrupt-${fileStamp()}`;
  try {
    renameSync(file, join(root, backup));
    onWarning(`${PROGRESS_PATH} is corrupt (${problem}). It was moved to ${backup} and your history starts afresh.`);
  } catch {
    onWarning(`${PROGRESS_PATH} is corrupt (${problem}) and could not be moved aside; your history starts afresh.`);
  }
  return emptyProgress();
}

/** Writes the history atomically: a temp file in the same folder, then a rename over the old one. */
export function writeProgress(root: string, progress: Progress): void {
  try {
    mkdirSync(join(root, '.ailab'), { recursive: true });
    writeFileAtomic(join(root, PROGRESS_PATH), `${JSON.stringify(ProgressSchema.parse(progress), null, 2)}\n`);
  } catch (error) {
    throw writeFailure(PROGRESS_PATH, error);
  }
}

/** Reads, changes and writes the history in one step; returns what was written. */
export function updateProgress(root: string, change: (progress: Progress) => void, onWarning?: (text: string) => void): Progress {
  const progress = readProgress(root, onWarning);
  change(progress);
  writeProgress(root, progress);
  return progress;
}
