import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Bm25 from '../src/bm25.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { Bm25Index } = await learner<typeof Bm25>('src/bm25.ts');

describe('Bm25Index', () => {
  test('ranks the text with the rare query term first and skips texts with no query term', async () => {
    const index = await new Bm25Index();
    await index.add('a', 'the grinder has flat burrs');
    await index.add('b', 'the grinder has conical burrs and a magnetized cup');
    await index.add('c', 'a lighthouse painted red');
    const hits = await index.search('magnetized grinder', 5);
    expect(hits.map((h) => h.id)).toEqual(['b', 'a']);
    // one term, N = 3, df = 1: idf = ln(1 + 2.5 / 1.5); tf = 1, |d| = 4, avgdl = (5 + 9 + 4) / 3 = 6
    const idf = Math.log(1 + 2.5 / 1.5);
    const one = (await index.search('lighthouse', 1))[0];
    expect(one.id).toBe('c');
    expect(one.score).toBeCloseTo((idf * 2.2) / (1 + 1.2 * (0.25 + (0.75 * 4) / 6)), 9);
  });
});
