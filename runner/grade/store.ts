import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AilabError, EXIT } from '../core/errors.ts';
import { writeFileAtomic } from '../core/atomic.ts';
import { ResultsSchema, type Results } from '../results/schema.ts';

/** The path of a student's result. */
export function resultPath(out: string, student: string): string {
  return join(out, 'results', `${student}.json`);
}

/** Writes a validated result atomically. */
export function saveResult(out: string, student: string, results: Results): void {
  mkdirSync(join(out, 'results'), { recursive: true });
  writeFileAtomic(resultPath(out, student), `${JSON.stringify(ResultsSchema.parse(results), null, 2)}\n`);
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

/** Takes the output folder's lock, refusing when a live process holds it. Returns the release function. */
export function lockOutput(out: string): () => void {
  mkdirSync(out, { recursive: true });
  const lock = join(out, '.ailab-grade.lock');
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {}
    if (alive) throw new AilabError('E_LOCKED', `Another grade run (pid ${pid}) is writing to ${out}.`, 'Wait for it to finish, or use another --out folder.', EXIT.usage);
    writeFileSync(lock, String(process.pid)); // a stale lock from a run that died
  }
  return () => rmSync(lock, { force: true });
}
