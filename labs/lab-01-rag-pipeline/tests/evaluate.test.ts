import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Evaluate from '../src/evaluate.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { mrrAtK, recallAtK } = await learner<typeof Evaluate>('src/evaluate.ts');

describe('metrics', () => {
  test('the worked example: recall@5 = 2/3 and MRR@5 = 1/2', async () => {
    const ranking = ['d3', 'd1', 'd7', 'd2', 'd9'];
    const qrels = { d1: 1, d2: 2, d5: 1 };
    expect(await recallAtK(ranking, qrels, 5)).toBeCloseTo(0.6667, 4);
    expect(await mrrAtK(ranking, qrels, 5)).toBe(0.5);
  });
});
