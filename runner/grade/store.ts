import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic.ts';
import { ResultsSchema, type Results } from '../results/schema.ts';
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

/** Reads a saved result, or undefined when it is absent or invalid (it will be graded again). */
export function loadResult(out: string, student: string): Results | undefined {
  const path = resultPath(out, student);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = ResultsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
