import type { LabLimits } from '../lab/schema.ts';

/** What to run in a sandbox: a prepared run tree, a command, and its limits. */
export interface RunSpec {
  /** Host folder holding the run tree (copied into the container at /lab in Docker, by putTree). */
  runDir: string;
  /** Working directory, relative to the run tree. */
  workdir: string;
  /** Arguments after `node`, with paths relative to the run tree. */
  args: (ctx: { nodeModules: string; root: string }) => string[];
  env: Record<string, string>;
  /**
   * The same run as one vitest run, for a sandbox that keeps vitest loaded between runs (warm.ts):
   * its config, relative to the run tree, and the test files to run, relative to `workdir`.
   */
  vitest?: { config: string; files: string[] };
  /** Written to the process's stdin, which is then closed. */
  stdin: string;
  limits: LabLimits;
  /**
   * Resolves when the test runner reports its start: `limits.timeout_s` runs from then, and the
   * time before it has its own limit (deadline.ts). Without it, the time limit runs from the start.
   */
  started?: Promise<void>;
  /** The start limit in ms, when not deadline.ts's START_LIMIT_MS (tests shorten it). */
  startLimitMs?: number;
  /** Every complete stdout line goes here first; returning true keeps it out of the captured output. */
  interceptStdout?: (line: string) => boolean;
  /** Labels for the container, on top of ailab=1. */
  labels?: Record<string, string>;
}

/** What happened, with the same shape whether the run passed, failed, timed out or was killed. */
export interface Outcome {
  kind: 'docker' | 'local';
  image?: string;
  /** The Docker host that ran it, when the sandbox spans several (hosts.ts). */
  host?: string;
  exitCode: number | null;
  timedOut: boolean;
  oomKilled: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
}

/** A place to run learner code: Docker (isolated) or the local machine (not isolated). */
export interface Sandbox {
  readonly kind: 'docker' | 'local';
  /** The Docker image every run uses (undefined for the local sandbox). */
  readonly image?: string;
  /** Runs the spec; learner failures are outcomes, only infrastructure failures throw. */
  run(spec: RunSpec, signal?: AbortSignal): Promise<Outcome>;
  /**
   * After a run failed for infrastructure reasons: waits, bounded, for the backend to answer again
   * and removes what failed runs left behind. Resolves false when the backend is still away.
   */
  recover?(onNotice: (text: string) => void): Promise<boolean>;
  /** Releases what the sandbox keeps between runs (the warm sandbox's container). */
  close?(): Promise<void>;
  /** After a batch: removes whatever this process's finished runs left behind (bounded; never throws). */
  sweep?(): Promise<void>;
}
