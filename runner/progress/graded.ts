import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.ts';
import { UsageError } from '../core/errors.ts';
import type { Lab } from '../lab/load.ts';
import { formatIssues } from '../lab/issues.ts';
import { readResultsFile, ResultsSchema, type Results } from '../results/schema.ts';
import { writeFailure } from './store.ts';

/** Where a lab's graded results are kept once imported, relative to the course root. */
export const gradedPath = (labId: string) => `.ailab/graded/${labId}.json`;

/**
 * Reads the graded results an instructor sent back (a grade run's `results/<student>.json`),
 * checks that they are for this lab, and keeps a copy in .ailab/graded/ so later `hint` calls
 * use them without the flag. A file that is not a results object, or is another lab's, is refused.
 */
export function importGraded(root: string, lab: Lab, file: string): Results {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`, 'Give the graded results file your instructor sent back (results/<you>.json from a grade run).');
  }
  let parsed: ReturnType<typeof ResultsSchema.safeParse>;
  try {
    parsed = ResultsSchema.safeParse(JSON.parse(text));
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`, 'Give the graded results file your instructor sent back (results/<you>.json from a grade run).');
  }
  if (!parsed.success) throw new UsageError(`${file} is not a graded results file: ${formatIssues(parsed.error).slice(0, 2).join('; ')}`, 'It should be results/<you>.json from your instructor\'s grade run.');
  if (parsed.data.lab.id !== lab.manifest.id) throw new UsageError(`${file} holds results for ${parsed.data.lab.id}, not ${lab.manifest.id}.`, `Run \`npm run lab -- hint ${parsed.data.lab.id} --graded ${file}\`.`);
  const kept = join(root, gradedPath(lab.manifest.id));
  try {
    mkdirSync(dirname(kept), { recursive: true });
    writeFileAtomic(kept, `${JSON.stringify(parsed.data, null, 2)}\n`);
  } catch (error) {
    throw writeFailure(gradedPath(lab.manifest.id), error);
  }
  return parsed.data;
}

/** The graded results imported for a lab, if any (an unreadable copy counts as none). */
export function readGraded(root: string, labId: string): Results | undefined {
  return readResultsFile(join(root, gradedPath(labId)));
}
