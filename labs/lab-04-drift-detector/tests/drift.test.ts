import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Ks from '../src/ks.ts';
import type * as Metrics from '../src/metrics.ts';
import type * as Detect from '../src/detect.ts';
import type { Table } from '../src/detect.ts';
import type * as Stream from '../src/page-hinkley.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { ks2samp } = await learner<typeof Ks>('src/ks.ts');
const { chiSquare, jensenShannon, psiFromProportions, wasserstein } = await learner<typeof Metrics>('src/metrics.ts');
const { detectDrift } = await learner<typeof Detect>('src/detect.ts');
const { PageHinkley } = await learner<typeof Stream>('src/page-hinkley.ts');

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/drift/${name}`, import.meta.url), 'utf8'));

/** |actual - expected| <= rel * |expected| */
function expectRel(actual: number, expected: number, rel: number, what: string) {
  // A string prints like a number: say its type, so "0.4" (string) is not mistaken for 0.4.
  const got = typeof actual === 'number' ? String(actual) : `${JSON.stringify(actual)} (${typeof actual})`;
  expect(typeof actual === 'number' && Number.isFinite(actual), `${what}: got ${got}, expected a finite number`).toBe(true);
  const err = Math.abs(actual - expected) / Math.abs(expected);
  expect(err <= rel, `${what}: got ${actual}, expected ${expected} (relative error ${err.toExponential(2)} > ${rel})`).toBe(true);
}

describe('ks2samp', () => {
  test('[1..5] vs [3..7] gives D = 0.4 and exact p = 0.8730', async () => {
    const r = await ks2samp([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]);
    expectRel(r.statistic, 0.4, 1e-6, 'D');
    expectRel(r.pvalue, 0.873015873015873, 1e-4, 'p-value (exact: both samples are tiny)');
    expect(r.method).toBe('exact');
  });

  test('identical samples give D = 0 and p = 1', async () => {
    const r = await ks2samp([3, 1, 2, 2], [2, 3, 2, 1]);
    expect(r.statistic).toBe(0);
    expect(r.pvalue).toBe(1);
  });
});

describe('chiSquare', () => {
  test('[30, 20, 23, 27] against uniform gives 2.32 and p = 0.5087', async () => {
    const r = await chiSquare([1, 1, 1, 1], [30, 20, 23, 27]);
    expectRel(r.statistic, 2.32, 1e-9, 'chi-square statistic');
    expectRel(r.pvalue, 0.5087002695252654, 1e-4, 'p-value with df = 3');
    expect(r.df).toBe(3);
  });
});

describe('psi', () => {
  test('[.25] x 4 vs [.1, .2, .3, .4] is 0.2282', async () => {
    expectRel(await psiFromProportions([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]), 0.22821740957339182, 1e-6, 'PSI');
  });
});

describe('distances', () => {
  test('Jensen-Shannon distance is 0 for identical and 1 for disjoint distributions (base 2)', async () => {
    expect(await jensenShannon([0.2, 0.8], [0.2, 0.8])).toBeCloseTo(0, 12);
    expect(await jensenShannon([1, 0], [0, 1]), 'disjoint supports are at the maximum distance, 1 in base 2').toBeCloseTo(1, 12);
  });

  test('Wasserstein-1 of [0, 1, 3] vs [5, 6, 8] is 5', async () => {
    expect(await wasserstein([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 12);
  });
});

describe('detectDrift', () => {
  test('flags the mean-shifted column and leaves the stable control alone', async () => {
    const ref: Table = fixture('reference_small.json').columns;
    const cur: Table = fixture('current_small.json').columns;
    const report = await detectDrift(ref, cur);
    const byName = new Map(report.columns.map((c) => [c.column, c]));
    expect(byName.get('income')?.drift, 'income is shifted by +0.5 sd: it must be flagged').toBe(true);
    expect(byName.get('age')?.drift, 'age is a stationary control: it must not be flagged').toBe(false);
    expect(byName.get('income')?.test).toBe('ks');
  });
});

describe('PageHinkley', () => {
  test('stays quiet on a constant stream and alarms soon after a large jump', async () => {
    const ph = await new PageHinkley();
    for (let i = 0; i < 500; i++) expect(await ph.update(1), `false alarm at sample ${i} of a constant stream`).toBe(false);
    let at = -1;
    for (let i = 0; i < 200 && at < 0; i++) if (await ph.update(11)) at = i;
    expect(at, 'a jump of +10 should be detected within 200 samples').toBeGreaterThanOrEqual(0);
  });
});
