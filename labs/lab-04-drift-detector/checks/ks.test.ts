import { describe, expect, test } from 'vitest';
import { inspectCall, learner } from '#ailab/learner';
import type * as Ks from '../src/ks.ts';
import type { KsMethod } from '../src/ks.ts';
import { because } from '#ailab/checks';
import { expectRel, fixture, ksStatistic, uniformSample } from './helpers.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { ks2samp } = await learner<typeof Ks>('src/ks.ts');

interface KsCase {
  name: string;
  method: KsMethod;
  used: 'exact' | 'asymp';
  statistic: number;
  pvalue: number;
  a?: number[];
  b?: number[];
  gen?: { a: { seed: number; n: number; shift: number }; b: { seed: number; n: number; shift: number } };
}
const expected = fixture('expected.json');
const cases = new Map<string, KsCase>(expected.ks.map((c: KsCase) => [c.name, c]));

async function run(name: string) {
  const c = cases.get(name);
  if (!c) throw new Error(`fixture case ${name} is missing`);
  const a = c.gen ? uniformSample(c.gen.a) : c.a!;
  const b = c.gen ? uniformSample(c.gen.b) : c.b!;
  const r = await ks2samp(a, b, { method: c.method });
  const label = `${name} (method '${c.method}', n1 = ${a.length}, n2 = ${b.length})`;
  // Each way of failing gets its own hint (hint_when in lab.yaml): D itself, D from a sort that
  // compared the numbers as text (`[...a].sort()`), the p-value with D right, or the method.
  const stringSorted = ksStatistic(a, b, (x, y) => (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0));
  const dKey = typeof r.statistic === 'number' && Math.abs(r.statistic - c.statistic) > 1e-9 && Math.abs(r.statistic - stringSorted) < 1e-9 ? 'string-sort' : 'statistic';
  expectRel(r.statistic, c.statistic, 1e-6, `${label}: D`, 0, dKey);
  expectRel(r.pvalue, c.pvalue, 1e-4, `${label}: p-value (scipy used ${c.used})`, 0, 'pvalue');
  expect(r.method, because('method', `${label}: scipy used the ${c.used} distribution here`)).toBe(c.used);
}

describe('ks2samp (hidden)', () => {
  test('tied samples match scipy', async () => {
    await run('ties, equal sizes');
    await run('ties, unequal sizes');
    await run('heavy ties, unequal sizes');
  });

  test('the normal grid n = 100 vs 100, shift 0.46: exact p = 0.0539, asymptotic p = 0.0470', async () => {
    await run('normal grid shift 0.46 exact');
    await run('normal grid shift 0.46 asymp');
    await run('normal grid shift 0.46 auto');
    const c = cases.get('normal grid shift 0.46 exact')!;
    const exact = (await ks2samp(c.a!, c.b!, { method: 'exact' })).pvalue;
    const asymp = (await ks2samp(c.a!, c.b!, { method: 'asymp' })).pvalue;
    expect(exact > 0.05 && asymp < 0.05, `the two methods straddle alpha = 0.05 here: exact ${exact}, asymp ${asymp}`).toBe(true);
  });

  test('unequal sizes use the exact two-sample distribution', async () => {
    await run('unequal 80 vs 120');
  });

  test('explicit asymp matches scipy kstwo.sf(D, round(n1 n2 / (n1 + n2)))', async () => {
    await run('unequal 333 vs 250 asymp');
    await run('small asymp 7 vs 9');
  });

  test('n = 10,000 vs 10,000 and the auto boundary at max(n1, n2) = 10,000', async () => {
    await run('n=10000 vs 10000 (auto -> exact)');
    await run('n=10000 vs 10000 same distribution');
    await run('n=10001 vs 10000 (auto -> asymp)');
    await run('n=20000 vs 15000 (auto -> asymp)');
  });

  test('does not reorder the caller arrays', async () => {
    // Arguments cross to your code as copies: inspectCall sends back what your code left in them.
    const { args } = await inspectCall(ks2samp, [5, 1, 4, 2, 3], [9, 7, 8, 6]);
    const [a, b] = args;
    expect(a, 'ks2samp sorted the caller array in place: sort a copy').toEqual([5, 1, 4, 2, 3]);
    expect(b).toEqual([9, 7, 8, 6]);
  });
});
