import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Metrics from '../src/metrics.ts';
import type * as Ks from '../src/ks.ts';
import { expectRel, fixture, ksStatistic } from './helpers.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { chiSquare, jensenShannon, psi, psiFromProportions, quantileEdges, quantileSorted, wasserstein, wassersteinNormed } = await learner<typeof Metrics>('src/metrics.ts');
const { ks2samp } = await learner<typeof Ks>('src/ks.ts');

const expected = fixture('expected.json');
const tables: Record<string, [Record<string, number[]>, Record<string, number[]>]> = {
  small: [fixture('reference_small.json').columns, fixture('current_small.json').columns],
  large: [fixture('reference_large.json').columns, fixture('current_large.json').columns],
};

describe('chiSquare (hidden)', () => {
  test('proportions as the reference, an unseen category and a vanished category match scipy', async () => {
    for (const c of expected.chi2) {
      const r = await chiSquare(c.ref, c.cur);
      expectRel(r.statistic, c.statistic, 1e-9, `${c.name}: statistic`);
      expectRel(r.pvalue, c.pvalue, 1e-4, `${c.name}: p-value`, 1e-300);
      expect(r.df, `${c.name}: degrees of freedom`).toBe(c.df);
    }
    const unseen = await chiSquare([50, 30, 20, 0], [45, 30, 20, 5]);
    expect(unseen.unseen, 'the 4th category has reference count 0 and current count 5: report its index').toEqual([3]);
    // A category that is 0 on both sides is dropped: it changes neither the statistic nor df, and it is not unseen.
    const gone = expected.chi2.find((x: { name: string }) => x.name === 'category gone from current');
    const padded = await chiSquare([0, ...gone.ref.slice(0, 2), 0, gone.ref[2]], [0, ...gone.cur.slice(0, 2), 0, gone.cur[2]]);
    expectRel(padded.statistic, gone.statistic, 1e-9, 'categories that are 0 on both sides are dropped: statistic');
    expect(padded.df, 'categories that are 0 on both sides are dropped before counting df = k - 1').toBe(gone.df);
    expect(padded.unseen, 'a category that is 0 on both sides is not unseen').toEqual([]);
  });
});

describe('psi (hidden)', () => {
  test('reference-quantile binning on the fixture columns matches numpy', async () => {
    for (const c of expected.psiSamples) {
      const [ref, cur] = tables[c.table];
      expectRel(await psi(ref[c.column], cur[c.column], { bins: c.bins }), c.psi, 1e-6, `PSI of ${c.table}.${c.column} with ${c.bins} bins`, 1e-12);
      const edges = await quantileEdges(ref[c.column], c.bins);
      expect(edges.length, `quantileEdges of ${c.table}.${c.column} with ${c.bins} bins: numpy's inner edges, duplicates merged: ${JSON.stringify(c.innerEdges)}`).toBe(c.innerEdges.length);
      c.innerEdges.forEach((e: number, k: number) => expectRel(edges[k], e, 1e-9, `quantileEdges of ${c.table}.${c.column} with ${c.bins} bins, edge ${k}`, 1e-12));
    }
    // numpy.quantile at the ends is the minimum and the maximum, also for a single value
    expect(await quantileSorted([1, 2, 4], 1), 'quantileSorted(sorted, 1) is the maximum').toBe(4);
    expect(await quantileSorted([1, 2, 4], 0), 'quantileSorted(sorted, 0) is the minimum').toBe(1);
    expect(await quantileSorted([7], 0.5), 'a single value is every quantile').toBe(7);
  });

  test('an empty bin uses eps = 1e-4 instead of dividing by zero', async () => {
    const c = expected.psiProportions.find((x: { name: string }) => x.name === 'empty bin gets eps');
    expectRel(await psiFromProportions(c.ref, c.cur), c.psi, 1e-6, 'PSI with a reference bin of proportion 0');
    // every current value above the reference maximum: the top bin is empty in the reference
    const v = await psi([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(Number.isFinite(v), `PSI must stay finite when bins are empty, got ${v}`).toBe(true);
  });
});

describe('distances (hidden)', () => {
  test('Jensen-Shannon distance matches scipy (base 2) on the fixture pairs', async () => {
    for (const c of expected.jensenShannon) {
      expectRel(await jensenShannon(c.p, c.q), c.distance, 1e-9, `JS distance, ${c.name}`);
    }
  });

  test('Wasserstein-1 matches scipy and is normalised by the population std of the reference', async () => {
    for (const c of expected.wasserstein) {
      const a = c.a ?? tables[c.table][0][c.column];
      const b = c.b ?? tables[c.table][1][c.column];
      expectRel(await wasserstein(a, b), c.distance, 1e-9, `W1, ${c.name}`);
      expectRel(await wassersteinNormed(a, b), c.normed, 1e-9, `W1 / std(reference, ddof=0), ${c.name}`);
    }
  });
});

describe('bad input (hidden)', () => {
  test('empty samples, NaN and Infinity throw clear errors', async () => {
    await expect(ks2samp([], [1, 2]), 'an empty sample must throw').rejects.toThrow(/empty/i);
    await expect(ks2samp([1, 2], [])).rejects.toThrow(/empty/i);
    await expect(wasserstein([], [1])).rejects.toThrow(/empty/i);
    await expect(psi([], [1])).rejects.toThrow(/empty/i);
    await expect(ks2samp([1, NaN, 3], [1, 2]), 'NaN must be rejected, not silently sorted').rejects.toThrow(/NaN|finite/i);
    await expect(ks2samp([1, 2], [1, Infinity])).rejects.toThrow(/Infinity|finite/i);
    await expect(wasserstein([1, 2], [NaN])).rejects.toThrow(/NaN|finite/i);
    await expect(psi([1, 2, 3], [1, -Infinity])).rejects.toThrow(/Infinity|finite/i);
    await expect(chiSquare([1, 2], [NaN, 1])).rejects.toThrow(/NaN|finite/i);
    await expect(jensenShannon([], [])).rejects.toThrow(/empty/i);
    // the message names the argument, the index and the value (e.g. "b[1] is Infinity")
    await expect(ks2samp([1, 2], [1, Infinity]), 'name the sample: b[1] is Infinity').rejects.toThrow(/\bb\[1\]/);
    await expect(ks2samp([1, NaN], [1, 2]), 'name the sample: a[1] is NaN').rejects.toThrow(/\ba\[1\]/);
    await expect(wasserstein([1, 2], [3, NaN]), 'name the sample: b[1] is NaN').rejects.toThrow(/\bb\[1\]/);
    await expect(wasserstein([NaN], [1])).rejects.toThrow(/\ba\[0\]/);
    await expect(psi([1, 2, 3], [1, -Infinity])).rejects.toThrow(/\bcur\[1\]/);
    await expect(psi([1, NaN, 3], [1, 2])).rejects.toThrow(/\bref\[1\]/);
    await expect(ks2samp([1, 2], [1, 2], { method: 'exakt' as 'exact' }), "an unknown method: use 'auto', 'exact' or 'asymp'").rejects.toThrow(/method/i);
    // counts and proportions: the same length, finite, not negative, not all 0
    for (const [what, fn] of [
      ['chiSquare', chiSquare],
      ['psiFromProportions', psiFromProportions],
      ['jensenShannon', jensenShannon],
    ] as const) {
      const [r, c] = what === 'jensenShannon' ? ['p', 'q'] : ['ref', 'cur'];
      await expect(fn([1, 2], [1, 2, 3]), `${what}: arrays of different lengths`).rejects.toThrow(RangeError);
      await expect(fn([1, 2], [1, 2, 3]), `${what}: say the lengths`).rejects.toThrow(/2.*3/);
      await expect(fn([1, -1], [1, 1]), `${what}: a negative count`).rejects.toThrow(/negative/i);
      await expect(fn([1, -1], [1, 1]), `${what}: name the entry`).rejects.toThrow(new RegExp(`\\b${r}\\[1\\]`));
      await expect(fn([1, 1], [2, NaN]), `${what}: NaN`).rejects.toThrow(new RegExp(`\\b${c}\\[1\\].*NaN|NaN.*\\b${c}\\[1\\]`));
      await expect(fn([1, 1], [Infinity, 1]), `${what}: Infinity`).rejects.toThrow(new RegExp(`\\b${c}\\[0\\]`));
      await expect(fn([0, 0], [1, 1]), `${what}: a reference that sums to 0`).rejects.toThrow(new RegExp(`\\b${r}\\b.*(0|zero)`, 'i'));
      await expect(fn([1, 1], [0, 0]), `${what}: a current vector that sums to 0`).rejects.toThrow(new RegExp(`\\b${c}\\b.*(0|zero)`, 'i'));
      await expect(fn([], []), `${what}: empty arrays`).rejects.toThrow(/empty/i);
    }
  });

  test('bins < 2 throws', async () => {
    await expect(psi([1, 2, 3], [1, 2, 3], { bins: 1 }), 'one bin cannot show any shift').rejects.toThrow(/bins/i);
    await expect(psi([1, 2, 3], [1, 2, 3], { bins: 0 })).rejects.toThrow(/bins/i);
    await expect(psi([1, 2, 3], [1, 2, 3], { bins: 2.5 }), 'bins must be an integer').rejects.toThrow(/bins/i);
    expect(await psi([1, 2, 3, 4], [1, 2, 3, 4], { bins: 2 }), 'bins = 2 is the smallest valid choice').toBe(0);
  });
});

describe('stability (hidden)', () => {
  test('identical samples, constant columns and very large n stay finite', async () => {
    const big = Array.from({ length: 200000 }, (_, i) => (i * 7919) % 100003);
    const same = await ks2samp(big, big.slice().reverse());
    expect(same.statistic).toBe(0);
    expect(same.pvalue).toBe(1);
    const shifted = await ks2samp(big, big.map((x) => x + 5000));
    expect(Number.isFinite(shifted.pvalue) && shifted.pvalue >= 0 && shifted.pvalue <= 1, `p for n = 200,000: ${shifted.pvalue}`).toBe(true);
    const constant = await ks2samp([3, 3, 3, 3], [3, 3, 3]);
    expect(constant.statistic).toBe(0);
    expect(constant.pvalue).toBe(1);
    expect(constant.method, "D = 0 with 'auto' on small samples is still the exact method (p = 1 directly)").toBe('exact');
    // D = 1/n, the smallest gap there is: p = P(D >= 1/n) = 1, and the method stays exact (scipy: 1.0, 'exact')
    // even where the exact formula lands a rounding error away from 1.
    for (const n of [5, 7, 30]) {
      const a = Array.from({ length: n }, (_, i) => i);
      const near = await ks2samp(a, [...a.slice(0, -1), n - 0.5]);
      expectRel(near.statistic, 1 / n, 1e-12, `D of 0..${n - 1} vs the same with the last value moved up by 0.5`);
      expectRel(near.pvalue, 1, 1e-9, `p for D = 1/${n}: every merge has D >= 1/n`);
      expect(near.method, `n1 = n2 = ${n} with 'auto' is exact, whatever the formula rounds to`).toBe('exact');
    }
    // An explicit 'exact' scipy can't compute: n1 * n2 / gcd^2 reaches 2^31 - 1, so scipy switches to 'asymp'
    // (with a warning) and gives exactly what 'asymp' gives.
    const x = Array.from({ length: 50000 }, (_, i) => i / 50000);
    const y = Array.from({ length: 49999 }, (_, i) => (i + 0.5) / 49999);
    const forced = await ks2samp(x, y, { method: 'exact' });
    const asymp = await ks2samp(x, y, { method: 'asymp' });
    expect(forced.method, "50,000 vs 49,999 (coprime) with method 'exact': scipy switches to 'asymp' when n1/g >= (2^31 - 1) / (n2/g)").toBe('asymp');
    expectRel(forced.statistic, ksStatistic(x, y), 1e-9, 'D of 50,000 vs 49,999');
    expect(forced.pvalue, "the switched p-value is the 'asymp' one").toBe(asymp.pvalue);
    const equal = await ks2samp(x, x.map((v) => v + 1e-6), { method: 'exact' });
    expect(equal.method, '50,000 vs 50,000: n1/g = n2/g = 1, so the exact formula stays possible').toBe('exact');
    const c = [2, 2, 2, 2, 2];
    for (const [what, v] of [
      ['psi of a constant column', await psi(c, c)],
      ['psi of a constant column vs another value', await psi(c, [3, 3, 3])],
      ['normed Wasserstein of a constant column', await wassersteinNormed(c, c)],
      ['normed Wasserstein of a constant reference vs a shifted one', await wassersteinNormed(c, [4, 4])],
      ['JS of identical vectors', await jensenShannon([1, 2, 3], [1, 2, 3])],
      ['chi-square of identical counts (p)', (await chiSquare([5, 5], [5, 5])).pvalue],
    ] as const) {
      expect(Number.isFinite(v), `${what} must be finite, got ${v}`).toBe(true);
    }
    expect(await psi(c, c)).toBe(0);
    expect(await wassersteinNormed(c, c)).toBe(0);
  });
});
