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

/** Throws a RangeError for an empty sample or a value that is not a finite number. */
export function assertSample(xs: ArrayLike<number>, name: string): void {
  if (xs.length === 0) throw new RangeError(`${name} is empty: a drift test needs at least one value`);
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${name}[${i}] is ${String(v)}: every value must be a finite number (no NaN or Infinity)`);
    }
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Exact P(D >= h/n) for two samples of equal size n (Gnedenko-Korolyuk reflection formula):
 *   p = 2 * sum_{k>=1} (-1)^(k-1) C(2n, n-kh) / C(2n, n)
 * evaluated by a Horner scheme on the ratios A_k = C(2n, n-kh) / C(2n, n-(k-1)h), like scipy.
 */
export function exactEqualN(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Exact P(D >= d) for sizes n1 != n2 by a lattice-path walk. A random merge of the two sorted samples
 * is a path from (0,0) to (n1,n2); at (i,j) it steps right with probability (n1-i)/(n1+n2-i-j).
 * D >= d exactly when the path touches |i*n2g - j*n1g| >= h (g = gcd, h = D*lcm, all integers), so we
 * push probability mass through the band of cells strictly inside and add up the mass that leaves it.
 * All terms are positive: small p-values keep full relative precision.
 */
export function exactUnequal(n1: number, n2: number, h: number): number {
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  const N = n1 + n2;
  const inside = (i: number, j: number) => Math.abs(i * n2g - j * n1g) < h;
  let cur = new Float64Array(n2 + 2);
  let next = new Float64Array(n2 + 2);
  cur[0] = 1;
  let out = 0;
  for (let i = 0; i <= n1; i++) {
    const jlo = Math.max(0, Math.floor((i * n2g - h) / n1g) + 1);
    const jhi = Math.min(n2, Math.ceil((i * n2g + h) / n1g) - 1);
    for (let j = jlo; j <= jhi; j++) {
      const v = cur[j];
      if (v === 0) continue;
      cur[j] = 0;
      const left = N - i - j;
      if (left === 0) continue;
      if (i < n1) {
        const m = (v * (n1 - i)) / left;
        if (inside(i + 1, j)) next[j] += m;
        else out += m;
      }
      if (j < n2) {
        const m = (v * (n2 - j)) / left;
        if (inside(i, j + 1)) cur[j + 1] += m;
        else out += m;
      }
    }
    [cur, next] = [next, cur];
  }
  return Math.min(1, Math.max(0, out));
}

/**
 * Two-sample two-sided Kolmogorov-Smirnov test; agrees with scipy.stats.ks_2samp.
 * Does not modify a or b.
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>, opts: { method?: KsMethod } = {}): KsResult {
  assertSample(a, 'a');
  assertSample(b, 'b');
  const method = opts.method ?? 'auto';
  if (method !== 'auto' && method !== 'exact' && method !== 'asymp') {
    throw new RangeError(`unknown method ${String(method)}: use 'auto', 'exact' or 'asymp'`);
  }
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n1 = x.length;
  const n2 = y.length;
  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;

  // Walk both sorted arrays; at every distinct value take ALL copies from both sides before comparing.
  // diff = i*n2g - j*n1g is the integer (F_a - F_b) * lcm(n1, n2).
  let i = 0;
  let j = 0;
  let h = 0;
  while (i < n1 && j < n2) {
    const v = x[i] <= y[j] ? x[i] : y[j];
    while (i < n1 && x[i] === v) i++;
    while (j < n2 && y[j] === v) j++;
    const diff = Math.abs(i * n2g - j * n1g);
    if (diff > h) h = diff;
  }
  // after one side is exhausted the gap only shrinks toward 0, except at the final jump: check it
  const tail = Math.abs(i * n2g - j * n1g);
  if (tail > h) h = tail;
  const lcm = n1g * n2;
  const statistic = h / lcm;

  let used: 'exact' | 'asymp' =
    method === 'auto' ? (Math.max(n1, n2) <= KS_MAX_EXACT_N ? 'exact' : 'asymp') : method;
  if (used === 'exact' && n1g >= 2147483647 / n2g) used = 'asymp';

  if (used === 'exact') {
    // Both exact formulas are finite for every n1, n2 this far (scipy keeps 'exact' for them too).
    const p = h === 0 ? 1 : n1 === n2 ? exactEqualN(n1, h) : exactUnequal(n1, n2, h);
    return { statistic, pvalue: p, method: 'exact' };
  }
  const en = Math.round((n1 * n2) / (n1 + n2));
  const p = kstwoSf(statistic, Math.max(1, en));
  return { statistic, pvalue: Math.min(1, Math.max(0, p)), method: 'asymp' };
}
