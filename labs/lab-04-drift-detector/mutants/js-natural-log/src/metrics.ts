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

function assertWeights(xs: number[], name: string): void {
  if (xs.length === 0) throw new RangeError(`${name} is empty`);
  xs.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${i}] is ${String(v)}: expected a finite number`);
    if (v < 0) throw new RangeError(`${name}[${i}] is ${v}: counts and proportions cannot be negative`);
  });
  if (xs.reduce((s, v) => s + v, 0) === 0) throw new RangeError(`${name} sums to 0`);
}

/**
 * Chi-square goodness of fit of the current counts against the reference distribution.
 * ref: reference counts OR proportions (normalised here); cur: current counts, aligned with ref.
 * Categories that are 0 in both are dropped. If a category is unseen in the reference (ref 0, cur > 0)
 * every reference proportion gets EPS added and the vector is renormalised, so nothing divides by 0.
 */
export function chiSquare(ref: number[], cur: number[]): ChiSquareResult {
  if (ref.length !== cur.length) throw new RangeError(`ref has ${ref.length} categories but cur has ${cur.length}`);
  assertWeights(ref, 'ref');
  assertWeights(cur, 'cur');
  const unseen: number[] = [];
  const keep: number[] = [];
  ref.forEach((r, i) => {
    if (r > 0 || cur[i] > 0) keep.push(i);
    if (r === 0 && cur[i] > 0) unseen.push(i);
  });
  const refTotal = ref.reduce((s, v) => s + v, 0);
  const curTotal = cur.reduce((s, v) => s + v, 0);
  const k = keep.length;
  let statistic = 0;
  for (const i of keep) {
    let p = ref[i] / refTotal;
    if (unseen.length > 0) p = (p + EPS) / (1 + EPS * k);
    const expected = p * curTotal;
    statistic += (cur[i] - expected) ** 2 / expected;
  }
  const df = k - 1;
  const pvalue = df > 0 ? chi2Sf(statistic, df) : 1;
  return { statistic, pvalue, df, unseen };
}

/** PSI of two aligned proportion vectors: sum (c - r) * ln(c / r), zeros replaced by EPS. */
export function psiFromProportions(ref: number[], cur: number[]): number {
  if (ref.length !== cur.length) throw new RangeError(`ref has ${ref.length} bins but cur has ${cur.length}`);
  assertWeights(ref, 'ref');
  assertWeights(cur, 'cur');
  let s = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] === 0 ? EPS : ref[i];
    const c = cur[i] === 0 ? EPS : cur[i];
    s += (c - r) * Math.log(c / r);
  }
  return s;
}

/** numpy.quantile(sorted, q) with the default 'linear' method. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const frac = pos - lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

/** Inner bin edges: unique reference quantiles at 1/bins .. (bins-1)/bins. */
export function quantileEdges(ref: ArrayLike<number>, bins: number): number[] {
  const s = Float64Array.from(ref).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantileSorted(s, k / bins);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Bin index of x: the number of inner edges <= x (numpy searchsorted side='right'). */
function binOf(edges: number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Population Stability Index of two numeric samples. Bins: `bins` reference-quantile bins (duplicate
 * edges merged), outer edges -inf/+inf, bins closed on the left [e_k, e_k+1). Natural log, EPS for
 * empty bins.
 */
export function psi(ref: ArrayLike<number>, cur: ArrayLike<number>, opts: { bins?: number } = {}): number {
  const bins = opts.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be an integer >= 2, got ${bins}`);
  assertSample(ref, 'ref');
  assertSample(cur, 'cur');
  const edges = quantileEdges(ref, bins);
  const k = edges.length + 1;
  const rc = new Array<number>(k).fill(0);
  const cc = new Array<number>(k).fill(0);
  for (let i = 0; i < ref.length; i++) rc[binOf(edges, ref[i])]++;
  for (let i = 0; i < cur.length; i++) cc[binOf(edges, cur[i])]++;
  return psiFromProportions(rc.map((v) => v / ref.length), cc.map((v) => v / cur.length));
}

/**
 * Jensen-Shannon DISTANCE (the square root of the divergence), log base 2, so it lies in [0, 1].
 * p and q are aligned counts or proportions; each is normalised to sum 1. 0 * log 0 = 0.
 */
export function jensenShannon(p: number[], q: number[]): number {
  if (p.length !== q.length) throw new RangeError(`p has ${p.length} entries but q has ${q.length}`);
  assertWeights(p, 'p');
  assertWeights(q, 'q');
  const sp = p.reduce((s, v) => s + v, 0);
  const sq = q.reduce((s, v) => s + v, 0);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] / sp;
    const b = q[i] / sq;
    const m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * Math.log(a / m);
    if (b > 0) js += 0.5 * b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, js));
}

/** Wasserstein-1 distance between two empirical distributions: the area between their CDFs. */
export function wasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertSample(a, 'a');
  assertSample(b, 'b');
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let prev = Math.min(x[0], y[0]);
  let w = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j];
    w += Math.abs(i / n1 - j / n2) * (v - prev);
    prev = v;
    while (i < n1 && x[i] === v) i++;
    while (j < n2 && y[j] === v) j++;
  }
  return w;
}

/** Population standard deviation (divide by n, numpy's default ddof=0). */
export function populationStd(xs: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < xs.length; i++) mean += xs[i];
  mean /= xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (xs[i] - mean) ** 2;
  return Math.sqrt(ss / xs.length);
}

/**
 * Wasserstein-1 divided by the POPULATION standard deviation of the reference (Evidently's
 * "normed" Wasserstein). A constant reference (std 0) falls back to the raw distance, so the result
 * stays finite.
 */
export function wassersteinNormed(ref: ArrayLike<number>, cur: ArrayLike<number>): number {
  const w = wasserstein(ref, cur);
  const sd = populationStd(ref);
  return sd > 0 ? w / sd : w;
}
