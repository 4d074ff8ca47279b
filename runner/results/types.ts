// Type errors in a submission's editable files, found by TypeScript on the host while the sandbox
// runs the checks. Type-checking never runs the learner's code, but a pathological type can keep
// the compiler busy: it runs in a worker thread that is stopped at a time limit.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { runnerDir } from '../core/paths.ts';
import { codeFrame } from './compile.ts';
import type { CompileError } from './schema.ts';

/** How long the type check may take before it is given up (the run goes on without it). */
export const TYPECHECK_LIMIT_MS = 20_000;

/** What the worker is given: the lab's folder, its files as the submission has them, the editable ones. */
export interface TypecheckJob {
  root: string;
  labDir: string;
  /** Paths relative to the lab folder, with their content: the submission's editable files. */
  files: Record<string, string>;
  /** How many errors to keep. */
  max: number;
}

/**
 * The type errors in `job.files`, at most `job.max`, or undefined when the check took longer than
 * `limitMs` or could not run (a broken TypeScript install): the run is never held up by it.
 */
export async function typeErrors(job: TypecheckJob, limitMs = TYPECHECK_LIMIT_MS): Promise<CompileError[] | undefined> {
  const worker = new Worker(join(runnerDir(), 'results', 'typecheck-worker.cjs'), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 512 } });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(undefined);
    }, limitMs);
    const finish = (value: CompileError[] | undefined) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(value);
    };
    worker.once('message', (found: Omit<CompileError, 'frame'>[]) =>
      finish(found.map((e) => ({ ...e, frame: codeFrame(job.files[e.file] ?? '', e.line, e.column) }))),
    );
    worker.once('error', () => finish(undefined));
    worker.once('exit', () => finish(undefined));
  });
}
