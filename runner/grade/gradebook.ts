import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AilabError, EXIT } from '../core/errors.ts';
import type { Results } from '../results/schema.ts';
import type { GradeRow } from './exports.ts';
import { loadResult } from './store.ts';

/** Every result saved in one grade output folder, by student; files that don't parse are listed, never dropped silently. */
export function readResults(out: string): { results: Map<string, Results>; unreadable: string[] } {
  const dir = join(out, 'results');
  const results = new Map<string, Results>();
  const unreadable: string[] = [];
  if (!existsSync(dir)) return { results, unreadable };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const student = file.slice(0, -'.json'.length);
    const saved = loadResult(out, student);
    if (saved) results.set(student, saved);
    else unreadable.push(join('results', file));
  }
  return { results, unreadable };
}

/** Two results for one student are the same grade when the same submission got the same score under the same lab version. */
function sameGrade(a: Results, b: Results): boolean {
  return a.submission.sha256 === b.submission.sha256 && a.lab.version === b.lab.version && a.score === b.score && a.status === b.status;
}

/**
 * Merges the results of several output folders (grading split across machines, or a regrade kept
 * apart): one result per student, all of one lab. The same student in two folders must have the
 * same grade there; otherwise the merge is refused, naming both.
 */
export function mergeResults(outs: string[]): { results: Map<string, Results>; from: Map<string, string>; unreadable: string[] } {
  const results = new Map<string, Results>();
  const from = new Map<string, string>();
  const unreadable: string[] = [];
  let lab: { id: string; out: string } | undefined;
  for (const out of outs) {
    if (!existsSync(join(out, 'results'))) {
      throw new AilabError('E_GRADEBOOK', `${out} holds no results/ folder, so it is not the output of \`ailab grade\`.`, 'Name the folders that `grade --out` wrote.', EXIT.usage);
    }
    const read = readResults(out);
    unreadable.push(...read.unreadable.map((f) => join(out, f)));
    for (const [student, r] of read.results) {
      const seen = results.get(student);
      if (seen && !sameGrade(seen, r)) {
        throw new AilabError(
          'E_GRADEBOOK_CONFLICT',
          `${student} has two different grades: ${seen.score}/${seen.maxScore} in ${from.get(student)} and ${r.score}/${r.maxScore} in ${out} (submission ${seen.submission.sha256.slice(0, 12)} vs ${r.submission.sha256.slice(0, 12)}).`,
          `Keep the one that stands: delete ${join('results', `${student}.json`)} from the other folder, or regrade the student with \`grade --only ${student}\`.`,
          EXIT.usage,
        );
      }
      lab ??= { id: r.lab.id, out };
      if (lab.id !== r.lab.id) {
        throw new AilabError('E_GRADEBOOK_CONFLICT', `${out} holds results of ${r.lab.id}, but ${lab.out} holds ${lab.id}.`, 'A gradebook is for one lab: merge the folders of one lab at a time.', EXIT.usage);
      }
      if (!seen) {
        results.set(student, r);
        from.set(student, out);
      }
    }
  }
  return { results, from, unreadable };
}

/** The gradebook's rows: every saved result, plus roster students with none, sorted by student. */
export function gradebookRows(results: Map<string, Results>, roster?: string[]): GradeRow[] {
  const rows: GradeRow[] = [...results].map(([student, r]) => ({ student, results: r }));
  for (const student of roster ?? []) if (!results.has(student)) rows.push({ student });
  return rows.sort((a, b) => Number(!a.results) - Number(!b.results) || a.student.localeCompare(b.student));
}
