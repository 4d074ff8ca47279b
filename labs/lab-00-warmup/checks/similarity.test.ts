import { describe, expect, test } from 'vitest';
import { inspectCall, learner } from '#ailab/learner';
import type * as Similarity from '../src/similarity.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { cosine, topK } = await learner<typeof Similarity>('src/similarity.ts');

/** A seeded PRNG (mulberry32), so the brute-force check is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An independent reference: sort all pairs by (score desc, id asc). */
function bruteForce(items: { id: string; vector: number[] }[], q: number[], k: number) {
  const scored = items.map(({ id, vector }) => {
    const dot = vector.reduce((s, v, i) => s + v * q[i], 0);
    const n = Math.hypot(...vector) * Math.hypot(...q);
    return { id, score: n === 0 ? 0 : dot / n };
  });
  scored.sort((x, y) => (y.score !== x.score ? y.score - x.score : x.id.localeCompare(y.id)));
  return scored.slice(0, Math.max(0, k));
}

describe('cosine (hidden)', () => {
  test('scaling a vector does not change the score', async () => {
    expect(await cosine([1, 2, 3], [10, 20, 30])).toBeCloseTo(1, 12);
    expect(await cosine([1, 2], [-2, -4])).toBeCloseTo(-1, 12);
  });

  test('a zero vector scores 0, never NaN', async () => {
    // on either side: a guard on the first vector's norm alone still divides 0 by 0 for the second
    for (const [a, b] of [[[0, 0, 0], [1, 2, 3]], [[1, 2, 3], [0, 0, 0]], [[0, 0], [0, 0]]]) {
      const score = await cosine(a, b);
      expect(Number.isNaN(score), `cosine(${JSON.stringify(a)}, ${JSON.stringify(b)}) returned NaN: guard the zero norm of either vector`).toBe(false);
      expect(score).toBe(0);
    }
  });

  test('mismatched lengths throw a RangeError', async () => {
    const pairs: [number[], number[]][] = [
      [[1, 2, 3], [1, 2]],
      [[1], [1, 2, 3, 4]],
    ];
    for (const [a, b] of pairs) {
      const error = await cosine(a, b).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `cosine(${JSON.stringify(a)}, ${JSON.stringify(b)}) should throw a RangeError`).toBeInstanceOf(RangeError);
      for (const n of [a.length, b.length]) {
        expect((error as Error).message, `the RangeError's message should name both lengths (${a.length} and ${b.length}), so whoever called cosine sees what was wrong`).toMatch(new RegExp(`\\b${n}\\b`));
      }
    }
  });
});

describe('topK (hidden)', () => {
  test('ties break by id, ascending, whatever the input order', async () => {
    const items = [
      { id: 'delta', vector: [1, 0] },
      { id: 'alpha', vector: [2, 0] },
      { id: 'charlie', vector: [0, 1] },
      { id: 'bravo', vector: [3, 0] },
    ];
    expect((await topK(items, [1, 0], 3)).map((h) => h.id)).toEqual(['alpha', 'bravo', 'delta']);
    expect((await topK([...items].reverse(), [1, 0], 3)).map((h) => h.id)).toEqual(['alpha', 'bravo', 'delta']);
  });

  test('k larger than the list returns every item', async () => {
    const items = [
      { id: 'x', vector: [1, 1] },
      { id: 'y', vector: [1, -1] },
    ];
    expect((await topK(items, [1, 0.5], 10)).map((h) => h.id)).toEqual(['x', 'y']);
  });

  test('k <= 0 returns an empty list', async () => {
    const items = [
      { id: 'x', vector: [1, 1] },
      { id: 'y', vector: [1, 0] },
      { id: 'z', vector: [0, 1] },
    ];
    expect(await topK(items, [1, 1], 0)).toEqual([]);
    expect(await topK(items, [1, 1], -1), 'topK(items, q, -1) must return []').toEqual([]);
  });

  test('does not modify the input list', async () => {
    const items = [
      { id: 'b', vector: [0, 1] },
      { id: 'a', vector: [1, 0] },
    ];
    // Arguments cross to your code as copies: inspectCall sends back what your code left in them.
    const { args } = await inspectCall(topK, items, [1, 0], 2);
    expect(args[0].map((i) => i.id)).toEqual(['b', 'a']);
  });

  test('matches a brute-force reference on random vectors', async () => {
    const next = rng(42);
    const items = Array.from({ length: 300 }, (_, i) => ({
      id: `doc-${String(i).padStart(3, '0')}`,
      // every 50th vector is zero, and some are exact copies, to exercise ties
      vector: i % 50 === 0 ? [0, 0, 0, 0] : i % 37 === 0 ? [1, 1, 1, 1] : Array.from({ length: 4 }, () => next() - 0.5),
    }));
    for (let trial = 0; trial < 20; trial++) {
      const q = Array.from({ length: 4 }, () => next() - 0.5);
      const got = await topK(items, q, 10);
      const want = bruteForce(items, q, 10);
      expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
      got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i].score, 9));
    }
  });
});
