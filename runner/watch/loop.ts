/** A debounced, one-at-a-time run scheduler: a newer trigger aborts the stale run. */
export interface RunLoop {
  /** Asks for a run after the debounce delay; aborts a run in flight when the delay ends. */
  trigger(): void;
  /** Starts a run now (the first run), unless one is already running. */
  runNow(): void;
  /** Stops: no more runs, the current one is aborted and awaited. */
  stop(): Promise<void>;
}

/** Why a run was aborted: a newer save made it stale. */
export class StaleRunError extends Error {
  constructor() {
    super('superseded by a newer save');
    this.name = 'StaleRunError';
  }
}

/**
 * Creates the scheduler. `run` gets a signal that aborts when a newer trigger arrives; errors
 * from a run that was not aborted go to `onError`.
 */
export function createRunLoop(opts: { debounceMs: number; run: (signal: AbortSignal) => Promise<void>; onError: (error: unknown) => void }): RunLoop {
  let timer: NodeJS.Timeout | undefined;
  let current: { controller: AbortController; done: Promise<void> } | undefined;
  let pending = false;
  let stopped = false;

  const start = () => {
    const controller = new AbortController();
    const done = (async () => {
      try {
        await opts.run(controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) opts.onError(error);
      } finally {
        current = undefined;
        if (pending && !stopped) {
          pending = false;
          start();
        }
      }
    })();
    current = { controller, done };
  };

  const fire = () => {
    timer = undefined;
    if (stopped) return;
    if (current) {
      // One run at a time: abort the stale one; its finally starts the fresh one.
      pending = true;
      current.controller.abort(new StaleRunError());
    } else start();
  };

  return {
    trigger() {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(fire, opts.debounceMs);
    },
    runNow() {
      if (!stopped && !current) start();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      current?.controller.abort(new StaleRunError());
      await current?.done;
    },
  };
}
