import type { RunSpec } from './types.ts';

/**
 * How long the test runner may take to report its start (vitest's `start` frame) before the run
 * is killed as the sandbox's failure. No learner code runs before that frame, so this time is
 * never the learner's: a loaded machine or a slow daemon must not eat into `limits.timeout_s`.
 */
export const START_LIMIT_MS = 60_000;

/** A run's wall clock: until `spec.started` resolves, the start limit; from then, `limits.timeout_s`. */
export interface Deadline {
  /** True once either limit was hit (and `kill` was called). */
  readonly timedOut: boolean;
  /** Stops both timers; call it when the run ends. */
  clear(): void;
}

/**
 * Starts a run's wall clock, calling `kill` once when it runs out. With no `spec.started` the
 * time limit runs from now (a bare command, as doctor's probe runs).
 */
export function startDeadline(spec: Pick<RunSpec, 'limits' | 'started' | 'startLimitMs'>, kill: () => void): Deadline {
  let timedOut = false;
  let cleared = false;
  let timer: NodeJS.Timeout | undefined;
  const expire = () => {
    if (cleared || timedOut) return;
    timedOut = true;
    kill();
  };
  const runFor = (ms: number) => {
    clearTimeout(timer);
    if (!cleared && !timedOut) timer = setTimeout(expire, ms);
  };
  const limitMs = spec.limits.timeout_s * 1000;
  if (!spec.started) runFor(limitMs);
  else {
    runFor(spec.startLimitMs ?? START_LIMIT_MS);
    spec.started.then(
      () => runFor(limitMs),
      () => undefined,
    );
  }
  return {
    get timedOut() {
      return timedOut;
    },
    clear() {
      cleared = true;
      clearTimeout(timer);
    },
  };
}
