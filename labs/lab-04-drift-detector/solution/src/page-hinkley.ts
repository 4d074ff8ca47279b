export interface PageHinkleyOptions {
  /** Magnitude of change that is tolerated, in the units of x (default 0.15). */
  delta?: number;
  /** Alarm threshold on the cumulative deviation (default 50). */
  lambda?: number;
  /** No alarm before this many samples since the last reset (default 30). */
  minInstances?: number;
}

/**
 * Two-sided Page-Hinkley change detector on a stream of numbers.
 *
 *   mean_t = running mean of x since the last reset
 *   U_t = U_{t-1} + (x_t - mean_t - delta)     (grows when the mean goes up)
 *   L_t = L_{t-1} + (mean_t - x_t - delta)     (grows when the mean goes down)
 *   alarm when t >= minInstances and (U_t - min U) > lambda or (L_t - min L) > lambda
 *
 * Reset semantics: when update() returns true, the detector forgets everything (count, mean and
 * both cumulative sums), so the next sample starts a new reference window; it alarms again only on
 * a new change relative to the post-change mean.
 */
export class PageHinkley {
  readonly delta: number;
  readonly lambda: number;
  readonly minInstances: number;
  private n = 0;
  private mean = 0;
  private up = 0;
  private upMin = 0;
  private down = 0;
  private downMin = 0;

  constructor(opts: PageHinkleyOptions = {}) {
    this.delta = opts.delta ?? 0.15;
    this.lambda = opts.lambda ?? 50;
    this.minInstances = opts.minInstances ?? 30;
    if (!(this.delta >= 0) || !Number.isFinite(this.delta)) throw new RangeError(`delta must be a finite number >= 0, got ${this.delta}`);
    if (!(this.lambda > 0) || !Number.isFinite(this.lambda)) throw new RangeError(`lambda must be a finite number > 0, got ${this.lambda}`);
    if (!Number.isInteger(this.minInstances) || this.minInstances < 1) throw new RangeError(`minInstances must be an integer >= 1, got ${this.minInstances}`);
  }

  /** Samples seen since the last reset. */
  get count(): number {
    return this.n;
  }

  /** Forgets all state, as if freshly constructed. */
  reset(): void {
    this.n = 0;
    this.mean = 0;
    this.up = 0;
    this.upMin = 0;
    this.down = 0;
    this.downMin = 0;
  }

  /** Feeds one sample; returns true exactly when a change is detected (then the state is reset). */
  update(x: number): boolean {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`update(x): x must be a finite number, got ${String(x)}`);
    this.n++;
    this.mean += (x - this.mean) / this.n;
    this.up += x - this.mean - this.delta;
    this.upMin = Math.min(this.upMin, this.up);
    this.down += this.mean - x - this.delta;
    this.downMin = Math.min(this.downMin, this.down);
    if (this.n >= this.minInstances && (this.up - this.upMin > this.lambda || this.down - this.downMin > this.lambda)) {
      this.reset();
      return true;
    }
    return false;
  }
}
