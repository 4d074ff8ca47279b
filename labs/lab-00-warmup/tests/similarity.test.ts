import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Similarity from '../src/similarity.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { cosine, topK } = await learner<typeof Similarity>('src/similarity.ts');

describe('cosine', () => {
  test('identical vectors score 1', async () => {
    expect(await cosine([1, 2, 3], [1, 2, 3])).toBeCloseTo(1, 12);
  });

  test('orthogonal vectors score 0', async () => {
    expect(await cosine([1, 0], [0, 5])).toBeCloseTo(0, 12);
  });
});

describe('topK', () => {
  test('returns the k best by score, best first', async () => {
    const items = [
      { id: 'a', vector: [1, 0] },
      { id: 'b', vector: [0, 1] },
      { id: 'c', vector: [1, 1] },
    ];
    const hits = await topK(items, [1, 0], 2);
    expect(hits.map((h) => h.id)).toEqual(['a', 'c']);
    expect(hits[0].score).toBeCloseTo(1, 12);
    expect(hits[1].score).toBeCloseTo(Math.SQRT1_2, 12);
  });
});
