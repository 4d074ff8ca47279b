import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import { because } from '#ailab/checks';
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
    // each metric has its own hint (hint_when in lab.yaml)
    const shown = `ranking ${JSON.stringify(ranking)}, qrels ${JSON.stringify(qrels)}`;
    expect(await recallAtK(ranking, qrels, 5), because('recall', `recall@5 of ${shown}: 2 of the 3 relevant documents`)).toBeCloseTo(2 / 3, 10);
    expect(await mrrAtK(ranking, qrels, 5), because('mrr', `MRR@5 of ${shown}: the first relevant document is at rank 2`)).toBeCloseTo(0.5, 10);
    expect(await ndcgAtK(ranking, qrels, 5), because('ndcg', `nDCG@5 of ${shown}: gain 2^grade - 1, discount 1/log2(rank + 1), ideal from all judged documents`)).toBeCloseTo(dcg / idcg, 10);
    expect(await ndcgAtK(ranking, qrels, 5), because('ndcg', `nDCG@5 of ${shown}`)).toBeCloseTo(0.4655, 4);
    // cut-offs: at k = 1 nothing relevant is retrieved; at k = 2 d1 is found
    expect(await recallAtK(ranking, qrels, 1), because('recall', 'recall@1: d3 is not relevant')).toBe(0);
    expect(await mrrAtK(ranking, qrels, 1), because('mrr', 'MRR@1: d3 is not relevant')).toBe(0);
    expect(await ndcgAtK(ranking, qrels, 1), because('ndcg', 'nDCG@1: d3 is not relevant')).toBe(0);
    expect(await recallAtK(ranking, qrels, 2), because('recall', 'recall@2: d1 is 1 of the 3 relevant documents')).toBeCloseTo(1 / 3, 10);
    expect(await ndcgAtK(ranking, qrels, 2), because('ndcg', 'nDCG@2: IDCG@2 uses only the best 2 grades')).toBeCloseTo((1 / Math.log2(3)) / (3 + 1 / Math.log2(3)), 10);
    // grade 0 entries are not relevant
    expect(await recallAtK(['x', 'y'], { x: 0, y: 1 }, 2), because('recall', 'recall@2 of ["x", "y"] with x graded 0: x is not relevant')).toBe(1);
    expect(await mrrAtK(['x', 'y'], { x: 0, y: 1 }, 2), because('mrr', 'MRR@2 of ["x", "y"] with x graded 0: x is not relevant, y at rank 2 is')).toBe(0.5);
    // a perfect ranking scores 1; a short ranking is fine
    expect(await ndcgAtK(['d2', 'd1', 'd5'], qrels, 5), because('ndcg', 'nDCG@5 of the ideal ranking ["d2", "d1", "d5"]')).toBeCloseTo(1, 10);
    expect(await recallAtK(['d2'], qrels, 5), because('recall', 'recall@5 of a ranking of one document, d2')).toBeCloseTo(1 / 3, 10);
    // a document graded 0 that is not retrieved does not count either; nothing relevant scores 0, not NaN
    expect(await recallAtK(['y'], { x: 0, y: 1 }, 2), because('recall', 'recall@2 of ["y"] with x graded 0: y is the only relevant document')).toBe(1);
    expect(await recallAtK(['x', 'y'], { x: 0, y: 0 }, 2), because('recall', 'recall@2 when no document is relevant (all graded 0): 0')).toBe(0);
    expect(await recallAtK(['x'], {}, 2), because('recall', 'recall@2 with no judgments at all: 0')).toBe(0);
    expect(await ndcgAtK(['x', 'y'], { x: 0, y: 0 }, 2), because('ndcg', 'nDCG@2 when no document is relevant: the ideal DCG is 0, and so is nDCG (not NaN)')).toBe(0);
    expect(await ndcgAtK(['x'], {}, 2), because('ndcg', 'nDCG@2 with no judgments at all: 0')).toBe(0);
    let code = 'no error';
    try {
      await recallAtK(ranking, qrels, 0);
    } catch (err) {
      expect(err instanceof RagError, because('invalid-k', `recallAtK with k = 0: got ${String(err)}, expected RagError INVALID_K`)).toBe(true);
      code = (err as RagError).code;
    }
    expect(code, because('invalid-k', `recallAtK with k = 0: got ${code === 'no error' ? 'no error' : `RagError ${code}`}, expected RagError INVALID_K`)).toBe('INVALID_K');
  });

  test('evaluateRun averages over queries and formatReport lists every retriever', async () => {
    const qrels = { q1: { a: 1 }, q2: { b: 2, c: 1 } };
    const rankings = { q1: ['a', 'x'], q2: ['x', 'c', 'y'] };
    const scores = await evaluateRun(rankings, qrels, 3);
    // a mean that is right for your own per-query metric means the metric is off (metrics-hand), not the mean
    const ownMean = (metric: typeof recallAtK) => Promise.all([metric(rankings.q1, qrels.q1, 3), metric(rankings.q2, qrels.q2, 3)]).then(([a, b]) => (a + b) / 2, () => NaN);
    const keyOf = async (got: number, want: number, metric: typeof recallAtK) => (Math.abs(got - want) > 1e-9 && Math.abs(got - (await ownMean(metric))) < 1e-9 ? 'metric' : 'average');
    expect(scores.recall, because(await keyOf(scores.recall, 0.75, recallAtK), `mean recall@3: got ${scores.recall}, expected the mean of 1 and 1/2`)).toBeCloseTo(0.75, 10);
    expect(scores.mrr, because(await keyOf(scores.mrr, 0.75, mrrAtK), `mean MRR@3: got ${scores.mrr}, expected the mean of 1 and 1/2`)).toBeCloseTo(0.75, 10);
    const q2 = (1 / Math.log2(3)) / (3 + 1 / Math.log2(3));
    expect(scores.ndcg, because(await keyOf(scores.ndcg, (1 + q2) / 2, ndcgAtK), `mean nDCG@3: got ${scores.ndcg}, expected the mean of 1 and ${q2.toFixed(4)}`)).toBeCloseTo((1 + q2) / 2, 10);
    const missing = await evaluateRun({ q1: ['a'] }, qrels, 3);
    expect(missing.recall, because('average', `rankings for q1 only: mean recall@3 is ${missing.recall}, expected 0.5: a query with no ranking scores 0, it is not skipped`)).toBeCloseTo(0.5, 10);
    const table = await formatReport([{ name: 'bm25', ...scores }, { name: 'hybrid', recall: 1, mrr: 1, ndcg: 1 }], 3);
    const report = (message: string) => because('report', `formatReport: ${message}, got:\n${table}`);
    expect(table, report('a row names bm25')).toMatch(/bm25/);
    expect(table, report('a row names hybrid')).toMatch(/hybrid/);
    expect(table, report('metrics to 3 decimals (0.750)')).toMatch(/0\.750/);
    expect(table.split('\n').length, report('a header, a separator and one row per retriever: 4 lines')).toBe(4);
    const [header, separator, first] = table.split('\n');
    expect(header.replace(/\s+/g, ''), report('the header names the retriever column and each metric at k = 3')).toBe('|retriever|recall@3|MRR@3|nDCG@3|');
    expect(/^\|\s*:?-+:?\s*(\|\s*:?-+:?\s*){3}\|$/.test(separator), report(`the second line is a Markdown separator of 4 columns, got ${JSON.stringify(separator)}`)).toBe(true);
    expect(first.replace(/\s+/g, ''), report('the bm25 row')).toBe('|bm25|0.750|0.750|' + ((1 + q2) / 2).toFixed(3) + '|');
    // no queries at all: every mean is 0, not NaN
    const nothing = await evaluateRun({}, {}, 5);
    expect([nothing.recall, nothing.mrr, nothing.ndcg], because('average', 'evaluateRun with no queries: every mean is 0 (not 0 / 0 = NaN)')).toEqual([0, 0, 0]);
  });
});
