export interface PageHinkleyOptions {
  /** Magnitude of change that is tolerated, in the units of x (default 0.15). */
  delta?: number;
  /** Alarm threshold on the cumulative deviation (default 50). */
  lambda?: number;
  /** No alarm before this many samples since the last reset (default 30). */
  minInstances?: number;
}

/**
 * TODO (task 6): a two-sided Page-Hinkley change detector.
 *
 *   mean_t = running mean of x since the last reset (including x_t)
 *   U_t = U_{t-1} + (x_t - mean_t - delta)     (grows when the mean goes up)
 *   L_t = L_{t-1} + (mean_t - x_t - delta)     (grows when the mean goes down)
 *   alarm when count >= minInstances and (U_t - min U) > lambda or (L_t - min L) > lambda
 *   (the minima start at 0 and include every U_t / L_t so far)
 *
 * Reset semantics: when update() returns true the detector forgets everything (count, mean, both
 * sums and minima), so the next sample starts a new reference window.
 * The constructor throws a RangeError for delta < 0, lambda <= 0 or minInstances < 1 (not integer);
 * update() throws a RangeError for a non-finite x.
 */
export class PageHinkley {
  readonly delta: number;
  readonly lambda: number;
  readonly minInstances: number;

  constructor(opts: PageHinkleyOptions = {}) {
    this.delta = opts.delta ?? 0.15;
    this.lambda = opts.lambda ?? 50;
    this.minInstances = opts.minInstances ?? 30;
  }

  /** TODO: samples seen since the last reset. */
  get count(): number {
    throw new Error('TODO: PageHinkley.count');
  }

  /** TODO: forget all state, as if freshly constructed. */
  reset(): void {
    throw new Error('TODO: PageHinkley.reset');
  }

  /** TODO: feed one sample; return true exactly when a change is detected (and reset). */
  update(x: number): boolean {
    throw new Error('TODO: PageHinkley.update');
  }
}
