import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Vectors from '../src/vector-index.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { VectorIndex } = await learner<typeof Vectors>('src/vector-index.ts');

describe('VectorIndex', () => {
  test('returns the k most similar vectors by cosine, best first', async () => {
    const index = await new VectorIndex(3);
    await index.add('east', [1, 0, 0]);
    await index.add('north', [0, 1, 0]);
    await index.add('north-east', [1, 1, 0]);
    await index.add('up', [0, 0, 2]);
    const hits = await index.search([2, 1, 0], 2);
    expect(hits.map((h) => h.id)).toEqual(['north-east', 'east']);
    expect(hits[0].score).toBeCloseTo(3 / Math.sqrt(10), 5);
    expect(hits[1].score).toBeCloseTo(2 / Math.sqrt(5), 5);
  });
});
