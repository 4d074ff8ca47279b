import { describe, expect, test } from 'vitest';
import { VectorIndex } from '../src/vector-index.ts';

describe('VectorIndex', () => {
  test('returns the k most similar vectors by cosine, best first', () => {
    const index = new VectorIndex(3);
    index.add('east', [1, 0, 0]);
    index.add('north', [0, 1, 0]);
    index.add('north-east', [1, 1, 0]);
    index.add('up', [0, 0, 2]);
    const hits = index.search([2, 1, 0], 2);
    expect(hits.map((h) => h.id)).toEqual(['north-east', 'east']);
    expect(hits[0].score).toBeCloseTo(3 / Math.sqrt(10), 5);
    expect(hits[1].score).toBeCloseTo(2 / Math.sqrt(5), 5);
  });
});
