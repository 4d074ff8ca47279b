import { describe, expect, test } from 'vitest';
import { mrrAtK, recallAtK } from '../src/evaluate.ts';

describe('metrics', () => {
  test('the worked example: recall@5 = 2/3 and MRR@5 = 1/2', () => {
    const ranking = ['d3', 'd1', 'd7', 'd2', 'd9'];
    const qrels = { d1: 1, d2: 2, d5: 1 };
    expect(recallAtK(ranking, qrels, 5)).toBeCloseTo(0.6667, 4);
    expect(mrrAtK(ranking, qrels, 5)).toBe(0.5);
  });
});
