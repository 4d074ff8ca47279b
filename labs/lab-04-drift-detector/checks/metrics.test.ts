import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Metrics from '../src/metrics.ts';
import type * as Ks from '../src/ks.ts';
import { expectRel, fixture } from './helpers.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { chiSquare, jensenShannon, psi, psiFromProportions, wasserstein, wassersteinNormed } = await learner<typeof Metrics>('src/metrics.ts');
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
  });
});

describe('psi (hidden)', () => {
  test('reference-quantile binning on the fixture columns matches numpy', async () => {
    for (const c of expected.psiSamples) {
      const [ref, cur] = tables[c.table];
      expectRel(await psi(ref[c.column], cur[c.column], { bins: c.bins }), c.psi, 1e-6, `PSI of ${c.table}.${c.column} with ${c.bins} bins`, 1e-12);
    }
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
  });

  test('bins < 2 throws', async () => {
    await expect(psi([1, 2, 3], [1, 2, 3], { bins: 1 }), 'one bin cannot show any shift').rejects.toThrow(/bins/i);
    await expect(psi([1, 2, 3], [1, 2, 3], { bins: 0 })).rejects.toThrow(/bins/i);
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
