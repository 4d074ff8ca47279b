import { join } from 'node:path';
import type { Lab } from '../lab/load.ts';
import type { SubmissionEntry } from '../grade/discover.ts';
import { openSubmission } from '../grade/grade-one.ts';
import { collectSubmission, type Submission } from '../submission/collect.ts';
import { compareClass, type Entrant, type Similarity } from './compare.ts';

/** A class's similarity leads, and the source of every submission a lead names (for the report's side-by-side view). */
export interface ClassSimilarity {
  similarity: Similarity;
  sources: Map<string, Map<string, string>>;
}

/** A submission's editable files as text. */
function asText(submission: Submission): Map<string, string> {
  return new Map([...submission.files].map(([file, bytes]) => [file, bytes.toString('utf8')]));
}

/**
 * Compares every submission in the folder with every other, with the lab's solution (@solution)
 * and with its starter (@starter), whose own code is left out of the near-duplicate score. It reads
 * the editable files only, as grading does, and never changes a score.
 */
export async function classSimilarity(lab: Lab, entries: SubmissionEntry[], threshold?: number): Promise<ClassSimilarity> {
  const entrants: Entrant[] = [];
  for (const entry of entries) {
    const { submission, cleanup } = await openSubmission(lab, entry);
    try {
      if (submission.files.size > 0) entrants.push({ name: entry.student, sha256: submission.sha256, files: asText(submission) });
    } finally {
      cleanup();
    }
  }
  const solution = collectSubmission(lab, join(lab.dir, 'solution'));
  const starter = collectSubmission(lab, lab.dir);
  entrants.push({ name: '@solution', sha256: solution.sha256, files: asText(solution) }, { name: '@starter', sha256: starter.sha256, files: asText(starter) });
  const similarity = compareClass(entrants, asText(starter), threshold);
  const named = new Set(similarity.pairs.flatMap((p) => [p.a, p.b]));
  return { similarity, sources: new Map(entrants.filter((e) => named.has(e.name)).map((e) => [e.name, e.files])) };
}
