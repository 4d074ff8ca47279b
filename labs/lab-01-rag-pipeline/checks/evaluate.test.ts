import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Errors from '../src/errors.ts';
import type * as Evaluate from '../src/evaluate.ts';

const { evaluateRun, formatReport, mrrAtK, ndcgAtK, recallAtK } = await learner<typeof Evaluate>('src/evaluate.ts');
const { RagError } = await learner<typeof Errors>('src/errors.ts');
type RagError = InstanceType<typeof RagError>;

describe('metrics (hidden)', () => {
  test('recall, MRR and nDCG match hand-computed values', async () => {
    const ranking = ['d3', 'd1', 'd7', 'd2', 'd9'];
    const qrels = { d1: 1, d2: 2, d5: 1 };
    // nDCG@5, gain 2^g - 1: DCG = 1/log2(3) + 3/log2(5); IDCG = 3 + 1/log2(3) + 1/log2(4)
    const dcg = 1 / Math.log2(3) + 3 / Math.log2(5);
    const idcg = 3 + 1 / Math.log2(3) + 1 / 2;
    expect(await recallAtK(ranking, qrels, 5)).toBeCloseTo(2 / 3, 10);
    expect(await mrrAtK(ranking, qrels, 5)).toBeCloseTo(0.5, 10);
    expect(await ndcgAtK(ranking, qrels, 5), 'gain 2^grade - 1, discount 1/log2(rank + 1), ideal from all judged documents').toBeCloseTo(dcg / idcg, 10);
    expect(await ndcgAtK(ranking, qrels, 5)).toBeCloseTo(0.4655, 4);
    // cut-offs: at k = 1 nothing relevant is retrieved; at k = 2 d1 is found
    expect(await recallAtK(ranking, qrels, 1)).toBe(0);
    expect(await mrrAtK(ranking, qrels, 1)).toBe(0);
    expect(await ndcgAtK(ranking, qrels, 1)).toBe(0);
    expect(await recallAtK(ranking, qrels, 2)).toBeCloseTo(1 / 3, 10);
    expect(await ndcgAtK(ranking, qrels, 2), 'IDCG@2 uses only the best 2 grades').toBeCloseTo((1 / Math.log2(3)) / (3 + 1 / Math.log2(3)), 10);
    // grade 0 entries are not relevant
    expect(await recallAtK(['x', 'y'], { x: 0, y: 1 }, 2)).toBe(1);
    expect(await mrrAtK(['x', 'y'], { x: 0, y: 1 }, 2)).toBe(0.5);
    // a perfect ranking scores 1; a short ranking is fine
    expect(await ndcgAtK(['d2', 'd1', 'd5'], qrels, 5)).toBeCloseTo(1, 10);
    expect(await recallAtK(['d2'], qrels, 5)).toBeCloseTo(1 / 3, 10);
    let code = 'no error';
    try {
      await recallAtK(ranking, qrels, 0);
    } catch (err) {
      expect(err).toBeInstanceOf(RagError);
      code = (err as RagError).code;
    }
    expect(code, 'k <= 0').toBe('INVALID_K');
  });

  test('evaluateRun averages over queries and formatReport lists every retriever', async () => {
    const qrels = { q1: { a: 1 }, q2: { b: 2, c: 1 } };
    const scores = await evaluateRun({ q1: ['a', 'x'], q2: ['x', 'c', 'y'] }, qrels, 3);
    expect(scores.recall, 'mean of 1 and 1/2').toBeCloseTo(0.75, 10);
    expect(scores.mrr, 'mean of 1 and 1/2').toBeCloseTo(0.75, 10);
    const q2 = (1 / Math.log2(3)) / (3 + 1 / Math.log2(3));
    expect(scores.ndcg).toBeCloseTo((1 + q2) / 2, 10);
    const missing = await evaluateRun({ q1: ['a'] }, qrels, 3);
    expect(missing.recall, 'a query with no ranking scores 0, it is not skipped').toBeCloseTo(0.5, 10);
    const table = await formatReport([{ name: 'bm25', ...scores }, { name: 'hybrid', recall: 1, mrr: 1, ndcg: 1 }], 3);
    expect(table).toMatch(/bm25/);
    expect(table).toMatch(/hybrid/);
    expect(table).toMatch(/0\.750/);
    expect(table.split('\n').length, 'a header, a separator and one row per retriever').toBe(4);
  });
});
