import { cpus } from 'node:os';
import { describe, expect, test } from 'vitest';
import { busyFraction, cpuTimes, mapPool, Slots, whenCpuIdle, type Burst } from '../../../runner/core/pool.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `n` tasks of `ms` each through the pool and returns the results and the most seen in flight at once. */
async function peakOf(n: number, limit: number, ms: number, burst?: Burst) {
  let active = 0;
  let peak = 0;
  const results = await mapPool(
    Array.from({ length: n }, (_, i) => i),
    burst ? new Slots(limit, burst) : limit,
    async (i) => {
      peak = Math.max(peak, ++active);
      await sleep(ms);
      active--;
      return i * 10;
    },
  );
  return { results, peak };
}

describe('mapPool', () => {
  test('keeps to its limit without a burst, and keeps the input order', async () => {
    const { results, peak } = await peakOf(7, 2, 20);
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(2);
  });

  test('a burst that admits runs past the limit up to its max, never further', async () => {
    const { results, peak } = await peakOf(8, 2, 60, { max: 4, everyMs: 5, admit: () => true });
    expect(results).toHaveLength(8);
    expect(peak).toBe(4);
  });

  test('a burst that never admits changes nothing', async () => {
    let asked = 0;
    const { peak } = await peakOf(6, 2, 30, { max: 6, everyMs: 5, admit: () => (asked++, false) });
    expect(peak).toBe(2);
    expect(asked, 'admit is asked while the regular slots are full').toBeGreaterThan(0);
  });

  test('a failure starts nothing more, waits for those in flight and throws it', async () => {
    const started: number[] = [];
    let finished = 0;
    const run = mapPool([0, 1, 2, 3, 4], 2, async (i) => {
      started.push(i);
      await sleep(i === 0 ? 5 : 40);
      if (i === 0) throw new Error('task 0 failed');
      finished++;
      return i;
    });
    await expect(run).rejects.toThrow('task 0 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toBe(1);
  });

  test('an abort stops new tasks', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    const run = mapPool([0, 1, 2, 3], 1, async (i) => {
      started.push(i);
      if (i === 1) ac.abort(new Error('stopped'));
      await sleep(5);
      return i;
    }, ac.signal);
    await expect(run).rejects.toThrow('stopped');
    expect(started).toEqual([0, 1]);
  });

  test('two pools on shared slots keep to one limit together', async () => {
    const slots = new Slots(3);
    let active = 0;
    let peak = 0;
    const task = async (i: number) => {
      peak = Math.max(peak, ++active);
      await sleep(20);
      active--;
      return i;
    };
    const [a, b] = await Promise.all([mapPool([1, 2, 3, 4], slots, task), mapPool([5, 6, 7, 8, 9], slots, task)]);
    expect([a, b]).toEqual([[1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    expect(peak).toBe(3);
  });

  test('no items: no calls and an empty result', async () => {
    expect(await mapPool([], 2, async () => 1)).toEqual([]);
  });
});

describe('whenCpuIdle', () => {
  test('sees a spinning core as busy time', () => {
    const before = cpuTimes();
    const until = Date.now() + 300;
    while (Date.now() < until); // one core busy for 300 ms
    const busy = busyFraction(before, cpuTimes());
    expect(busy).toBeGreaterThan(0.5 / cpus().length); // at least half of one core's share
    expect(busy).toBeLessThanOrEqual(1);
  });

  test('admits once, then waits for the admitted task to settle', async () => {
    // busyBelow 1.01: any load counts as idle, so only the settle time holds it back
    const burst = whenCpuIdle(8, { busyBelow: 1.01, settleMs: 10_000 });
    await sleep(100);
    expect(burst.admit()).toBe(true);
    await sleep(100);
    expect(burst.admit()).toBe(false);
  });

  test('asked again and again within a moment, it still measures the whole time since it last could', async () => {
    // each call comes too soon to measure on its own; the readings must add up, not start over
    const burst = whenCpuIdle(8, { busyBelow: 1.01, settleMs: 0 });
    let admitted = false;
    for (let i = 0; i < 100 && !admitted; i++) {
      await sleep(2);
      admitted = burst.admit();
    }
    expect(admitted).toBe(true);
  });

  test('never admits while the cores are busier than the bound', async () => {
    const burst = whenCpuIdle(8, { busyBelow: -1, settleMs: 0 });
    await sleep(100);
    expect(burst.admit()).toBe(false);
  });
});
