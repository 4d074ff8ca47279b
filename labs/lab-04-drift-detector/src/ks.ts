import { kstwoSf } from './special.ts';

/** Which p-value a KS test computes. `auto` follows scipy: exact when max(n1, n2) <= 10000. */
export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsResult {
  /** D = sup_x |F_a(x) - F_b(x)|, in [0, 1]. */
  statistic: number;
  /** Two-sided p-value P(D >= observed D) under H0 (both samples from one distribution). */
  pvalue: number;
  /** The method actually used (never 'auto'). */
  method: 'exact' | 'asymp';
}

/** scipy's MAX_AUTO_N: `auto` is exact when max(n1, n2) <= this. */
export const KS_MAX_EXACT_N = 10000;

/**
 * TODO (task 1a): throw a RangeError when `xs` is empty or holds a value that is not a finite number
 * (NaN, Infinity, -Infinity). Put the index and the value in the message, e.g.
 * "a[3] is NaN: every value must be a finite number". Every other function reuses this.
 */
export function assertSample(xs: ArrayLike<number>, name: string): void {
  throw new Error('TODO: assertSample');
}

/**
 * TODO (task 1c): exact P(D >= h/n) for two samples of the SAME size n, where h = D * n is an integer.
 *   p = 2 * sum_{k>=1} (-1)^(k-1) * C(2n, n - k h) / C(2n, n)
 * The binomials overflow for n = 10,000: never compute them. Each ratio
 * C(2n, n-kh) / C(2n, n-(k-1)h) is a product of h small factors, and a Horner scheme
 * P = A1 (1 - A2 (1 - A3 (...))) avoids the cancellation of the alternating sum. See the README.
 */
export function exactEqualN(n: number, h: number): number {
  throw new Error('TODO: exactEqualN');
}

/**
 * TODO (task 1d): exact P(D >= d) for sizes n1 != n2, where h = D * lcm(n1, n2) is an integer.
 * Walk the lattice of merges: a path from (0,0) to (n1,n2) where (i,j) means "i values of a and j
 * values of b seen". Push probability mass (step right with probability (n1-i)/(n1+n2-i-j), up with
 * (n2-j)/(n1+n2-i-j)) through the cells with |i*n2/g - j*n1/g| < h and add up the mass that leaves
 * that band: that sum IS the p-value. See the README diagram.
 */
export function exactUnequal(n1: number, n2: number, h: number): number {
  throw new Error('TODO: exactUnequal');
}

/**
 * TODO (task 1b, then 1e): the two-sample, two-sided Kolmogorov-Smirnov test, agreeing with
 * scipy.stats.ks_2samp to 1e-6 on D and 1e-4 on p.
 *  1. Validate both samples (assertSample). Sort COPIES (Float64Array.from(x).sort()); never the inputs.
 *  2. D: walk both sorted arrays; at each distinct value consume every copy of it from BOTH arrays,
 *     then compare the ECDFs. Keep the gap as the integer i*n2/g - j*n1/g (g = gcd) to stay exact.
 *  3. method 'auto' -> 'exact' if max(n1, n2) <= KS_MAX_EXACT_N, else 'asymp'.
 *  4. exact: D = 0 -> p = 1; n1 == n2 -> exactEqualN; else exactUnequal.
 *     asymp: kstwoSf(D, Math.round(n1 * n2 / (n1 + n2)))  (that is what scipy does).
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>, opts: { method?: KsMethod } = {}): KsResult {
  throw new Error('TODO: ks2samp');
}
