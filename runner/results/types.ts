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
 * A type checker whose worker stays up between jobs, with every file it parsed: watch keeps one, so
 * a save re-checks only what changed. Jobs run one at a time. A job past its time limit costs the
 * worker (the next job starts another), and a broken worker gives undefined, never an error.
 */
export class TypeChecker {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly root: string) {}

  /** The type errors in `job.files`, at most `job.max`, or undefined when the check took longer than `limitMs` or could not run. */
  check(job: TypecheckJob, limitMs = TYPECHECK_LIMIT_MS): Promise<CompileError[] | undefined> {
    const next = this.queue.then(() => this.once(job, limitMs));
    this.queue = next;
    return next;
  }

  private once(job: TypecheckJob, limitMs: number): Promise<CompileError[] | undefined> {
    const worker = (this.worker ??= new Worker(join(runnerDir(), 'results', 'typecheck-worker.cjs'), { workerData: { root: this.root }, resourceLimits: { maxOldGenerationSizeMb: 512 } }));
    return new Promise((resolve) => {
      const finish = (value: CompileError[] | undefined, keep: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onFailure);
        worker.off('exit', onFailure);
        if (!keep) this.drop(worker);
        resolve(value);
      };
      const onMessage = (found: Omit<CompileError, 'frame'>[]) => finish(found.map((e) => ({ ...e, frame: codeFrame(job.files[e.file] ?? '', e.line, e.column) })), true);
      const onFailure = () => finish(undefined, false);
      const timer = setTimeout(onFailure, limitMs);
      worker.on('message', onMessage);
      worker.once('error', onFailure);
      worker.once('exit', onFailure);
      worker.postMessage(job);
    });
  }

  private drop(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  /** Stops the worker. */
  close(): void {
    if (this.worker) this.drop(this.worker);
  }
}

/**
 * The type errors in `job.files`, at most `job.max`, or undefined when the check took longer than
 * `limitMs` or could not run (a broken TypeScript install): the run is never held up by it.
 */
export async function typeErrors(job: TypecheckJob, limitMs = TYPECHECK_LIMIT_MS): Promise<CompileError[] | undefined> {
  const checker = new TypeChecker(job.root);
  try {
    return await checker.check(job, limitMs);
  } finally {
    checker.close();
  }
}
