import { chi2Sf } from './special.ts';
import { assertSample } from './ks.ts';

/** Epsilon used for empty PSI bins and for reference proportions of unseen categories. */
export const EPS = 1e-4;

export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
  /** Degrees of freedom: (number of categories kept) - 1. */
  df: number;
  /** Indices (into the input arrays) of categories with current count > 0 but reference 0. */
  unseen: number[];
}

/**
 * TODO (task 2): chi-square goodness of fit of the current counts against the reference.
 *  - ref holds reference counts OR proportions (normalise it); cur holds current counts; same length.
 *  - Throw a RangeError on different lengths, an empty array, a negative or non-finite entry, or a sum of 0.
 *  - Drop categories that are 0 in both. k = categories kept, df = k - 1 (df = 0 -> p = 1).
 *  - Unseen category (ref 0, cur > 0): add EPS to EVERY reference proportion and divide by (1 + k*EPS),
 *    list its index in `unseen`. Never divide by a zero expected count.
 *  - statistic = sum (cur - expected)^2 / expected with expected = p * sum(cur); p-value = chi2Sf(statistic, df).
 */
export function chiSquare(ref: number[], cur: number[]): ChiSquareResult {
  throw new Error('TODO: chiSquare');
}

/**
 * TODO (task 3a): PSI of two aligned proportion vectors: sum (c - r) * ln(c / r),
 * where a proportion of exactly 0 is replaced by EPS (no renormalisation). Validate like chiSquare.
 */
export function psiFromProportions(ref: number[], cur: number[]): number {
  throw new Error('TODO: psiFromProportions');
}

/**
 * TODO (task 3b): numpy.quantile(sorted, q) with numpy's default 'linear' method:
 * position q * (n - 1), interpolate between the two neighbours.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  throw new Error('TODO: quantileSorted');
}

/** TODO (task 3b): inner bin edges = the reference quantiles at 1/bins .. (bins-1)/bins, duplicates removed. */
export function quantileEdges(ref: ArrayLike<number>, bins: number): number[] {
  throw new Error('TODO: quantileEdges');
}

/**
 * TODO (task 3c): PSI of two numeric samples.
 *  - bins (default 10) must be an integer >= 2, else RangeError mentioning "bins".
 *  - Edges: quantileEdges(ref, bins), plus -Infinity / +Infinity outside. A value x falls in bin
 *    "number of inner edges <= x" (numpy searchsorted side='right'), so bins are [e_k, e_k+1).
 *  - Proportions per bin for ref and cur, then psiFromProportions.
 */
export function psi(ref: ArrayLike<number>, cur: ArrayLike<number>, opts: { bins?: number } = {}): number {
  throw new Error('TODO: psi');
}

/**
 * TODO (task 4a): Jensen-Shannon DISTANCE, log base 2 (so it lies in [0, 1]), like
 * scipy.spatial.distance.jensenshannon(p, q, base=2): normalise p and q, m = (p + q) / 2,
 * JS = sqrt(KL(p||m)/2 + KL(q||m)/2), with 0 * log 0 = 0. Validate like chiSquare.
 */
export function jensenShannon(p: number[], q: number[]): number {
  throw new Error('TODO: jensenShannon');
}

/**
 * TODO (task 4b): Wasserstein-1 distance between two samples (scipy.stats.wasserstein_distance):
 * the area between the two empirical CDFs, sum |F_a - F_b| * (width of each step) over the merged
 * sorted values. Validate both samples; do not sort the inputs in place.
 */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  throw new Error('TODO: wasserstein');
}

/** TODO (task 4c): population standard deviation (divide by n, numpy's default ddof = 0). */
export function populationStd(xs: ArrayLike<number>): number {
  throw new Error('TODO: populationStd');
}

/**
 * TODO (task 4c): wasserstein(ref, cur) / populationStd(ref). When the reference is constant
 * (std 0) return the raw distance instead, so the result stays finite.
 */
export function wassersteinNormed(ref: ArrayLike<number>, cur: ArrayLike<number>): number {
  throw new Error('TODO: wassersteinNormed');
}
