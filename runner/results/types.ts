// Type errors in a submission's editable files, found by TypeScript on the host while the sandbox
// runs the checks. Type-checking never runs the learner's code, but a pathological type can keep
// the compiler busy: it runs in a worker thread that is stopped at a time limit.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { keptFile, type KeptFile } from '../core/kept.ts';
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

/** The lab's TypeScript and JSON files that a program over the editable files could read. */
function labSources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'solution', 'mutants', '.ailab'].includes(entry.name) || entry.isSymbolicLink()) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) labSources(path, out);
    else if (/\.(ts|mts|cts|json)$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/**
 * A digest of everything that decides a job's answer: the editable files' text, the size and time
 * of every other lab source, and the TypeScript and @types/node installed.
 */
function answerKey(job: TypecheckJob): string {
  const h = createHash('sha256').update(JSON.stringify([job.max, Object.entries(job.files).sort(([a], [b]) => (a < b ? -1 : 1))]));
  for (const pkg of ['typescript', '@types/node']) {
    const manifest = join(job.root, 'node_modules', pkg, 'package.json');
    h.update(existsSync(manifest) ? `${pkg} ${JSON.parse(readFileSync(manifest, 'utf8')).version}\n` : `${pkg} none\n`);
  }
  for (const file of labSources(job.labDir)) {
    const st = statSync(file);
    h.update(`${file} ${st.size} ${st.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * The type errors in `job.files`, at most `job.max`, or undefined when the check took longer than
 * `limitMs` or could not run (a broken TypeScript install): the run is never held up by it. The
 * same files checked again (a check run twice, the same submission in another sandbox) get the
 * kept answer (core/kept.ts, by answerKey()), without starting a compiler.
 */
export async function typeErrors(job: TypecheckJob, limitMs = TYPECHECK_LIMIT_MS): Promise<CompileError[] | undefined> {
  let kept: KeptFile | undefined;
  try {
    kept = keptFile('types', () => `${answerKey(job)}.json`);
    const made = kept?.read();
    if (made) return JSON.parse(made) as CompileError[];
  } catch {
    kept = undefined; // check it afresh
  }
  const checker = new TypeChecker(job.root);
  try {
    const found = await checker.check(job, limitMs);
    if (found) kept?.keep(JSON.stringify(found));
    return found;
  } finally {
    checker.close();
  }
}
