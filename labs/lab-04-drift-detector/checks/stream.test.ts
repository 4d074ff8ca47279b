import { describe, expect, test } from 'vitest';
import { callEach, field, learner } from '#ailab/learner';
import type * as Stream from '../src/page-hinkley.ts';
import { normals } from './helpers.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { PageHinkley } = await learner<typeof Stream>('src/page-hinkley.ts');
/** A detector as the checks hold it: a handle whose methods are async. */
type Detector = Awaited<InstanceType<typeof PageHinkley>>;

/** Indices at which the detector alarms: callEach runs every update in your process, in order, in one call. */
async function alarms(ph: Detector, xs: Iterable<number>): Promise<number[]> {
  const answers = await callEach<boolean>(ph, 'update', [...xs].map((x) => [x]));
  const at: number[] = [];
  answers.forEach((alarm, i) => {
    if (alarm) at.push(i);
  });
  return at;
}

function* stream(seed: number, n: number, mean: (i: number) => number) {
  const z = normals(seed);
  for (let i = 0; i < n; i++) yield z() + mean(i);
}

describe('PageHinkley (hidden)', () => {
  test('detects a +1 sd step at index 1000 within 150 samples (defaults delta 0.15, lambda 50)', async () => {
    for (const seed of [1, 2, 3]) {
      const at = await alarms(await new PageHinkley(), stream(seed, 2000, (i) => (i >= 1000 ? 1 : 0)));
      expect(at.length, `seed ${seed}: the step must be detected`).toBeGreaterThan(0);
      expect(at[0], `seed ${seed}: first alarm at ${at[0]}, before the step at 1000 (a false alarm)`).toBeGreaterThanOrEqual(1000);
      expect(at[0], `seed ${seed}: first alarm at ${at[0]}, more than 150 samples after the step`).toBeLessThan(1150);
    }
  });

  test('raises zero alarms on 100,000 stationary samples (seed 42)', async () => {
    const at = await alarms(await new PageHinkley(), stream(42, 100000, () => 0));
    expect(at, 'stationary N(0, 1) noise must not raise alarms').toEqual([]);
  });

  test('resets after a detection and catches a second change, downwards', async () => {
    const ph = await new PageHinkley();
    const at = await alarms(ph, stream(7, 6000, (i) => (i >= 1000 && i < 3000 ? 2 : 0)));
    expect(at.length, `expected exactly two alarms (up at 1000, down at 3000), got ${JSON.stringify(at)}`).toBe(2);
    expect(at[0]).toBeGreaterThanOrEqual(1000);
    expect(at[0]).toBeLessThan(1100);
    expect(at[1]).toBeGreaterThanOrEqual(3000);
    expect(at[1]).toBeLessThan(3100);
    // A handle carries method calls only: field() reads the count getter.
    expect(await field(ph, 'count'), 'count = samples since the last reset').toBe(6000 - 1 - at[1]);
    const fresh = await new PageHinkley();
    await fresh.update(5);
    await fresh.reset();
    expect(await field(fresh, 'count')).toBe(0);
  });

  test('checks its options and samples, and alarms exactly by the rule at its edges', async () => {
    for (const [opts, what] of [
      [{ delta: -0.1 }, 'delta < 0'],
      [{ delta: NaN }, 'delta NaN'],
      [{ delta: Infinity }, 'delta Infinity'],
      [{ lambda: 0 }, 'lambda = 0'],
      [{ lambda: -5 }, 'lambda < 0'],
      [{ lambda: Infinity }, 'lambda Infinity'],
      [{ minInstances: 0 }, 'minInstances = 0'],
      [{ minInstances: 2.5 }, 'minInstances not an integer'],
    ] as const) {
      const made = Promise.resolve().then(() => new PageHinkley(opts));
      await expect(made, `new PageHinkley(${JSON.stringify(opts)}): ${what} must throw a RangeError`).rejects.toThrow(RangeError);
      await expect(Promise.resolve().then(() => new PageHinkley(opts)), `${what}: the message names the option`).rejects.toThrow(new RegExp(Object.keys(opts)[0]));
    }
    // the edges of the valid ranges are accepted
    const edge = await new PageHinkley({ delta: 0, lambda: 4, minInstances: 1 });
    for (const bad of [NaN, Infinity, -Infinity]) {
      await expect(edge.update(bad), `update(${bad}) must throw a RangeError`).rejects.toThrow(RangeError);
      await expect(edge.update(bad), `update(${bad}): say what x was`).rejects.toThrow(new RegExp(String(bad)));
    }
    expect(await field(edge, 'count'), 'a rejected sample is not counted').toBe(0);

    // U - min U = lambda exactly is no alarm (> lambda); a little more is
    const at = async (opts: object, xs: number[]) => alarms(await new PageHinkley(opts), xs);
    expect(await at({ delta: 0, lambda: 4, minInstances: 1 }, [0, 8]), 'U - min U = 4 = lambda: no alarm yet').toEqual([]);
    expect(await at({ delta: 0, lambda: 4, minInstances: 1 }, [0, -8]), 'L - min L = 4 = lambda: no alarm yet').toEqual([]);
    expect(await at({ delta: 0, lambda: 4, minInstances: 1 }, [0, 9]), 'U - min U = 4.5 > lambda: alarm').toEqual([1]);
    expect(await at({ delta: 0, lambda: 4, minInstances: 1 }, [0, -9]), 'L - min L = 4.5 > lambda: alarm').toEqual([1]);
    // the alarm waits for minInstances samples, and comes AT the minInstances-th (count >= minInstances)
    expect(await at({ delta: 0, lambda: 4, minInstances: 2 }, [0, 100]), 'minInstances 2: the 2nd sample may alarm').toEqual([1]);
    expect(await at({ delta: 0, lambda: 4, minInstances: 3 }, [0, 100, 100, 100]), 'minInstances 3: no alarm before the 3rd sample').toEqual([2]);
    expect(await at({}, [0, 100, ...Array(40).fill(100)]), 'the default minInstances is 30: no alarm before the 30th sample').toEqual([29]);
  });
});
