/**
 * Task 6: ranking metrics with graded relevance, and a comparison table.
 *
 * Edit this file. `npm run check lab-01` grades it. Every function: checkK(k) first.
 */
import { checkK } from './vector-index.ts';

/** Graded judgments for one query: doc id -> grade (0 = not relevant, 1 = relevant, 2 = highly relevant). */
export type Qrels = Readonly<Record<string, number>>;

/** Share of the relevant documents (grade > 0) found in the top k. 0 when nothing is relevant. */
export function recallAtK(ranking: readonly string[], qrels: Qrels, k: number): number {
  throw new Error('TODO: implement recallAtK(ranking, qrels, k)');
}

/** 1 / rank of the first relevant document in the top k, or 0. */
export function mrrAtK(ranking: readonly string[], qrels: Qrels, k: number): number {
  throw new Error('TODO: implement mrrAtK(ranking, qrels, k)');
}

/** Exponential gain 2^grade - 1: a grade-2 document is worth three grade-1 documents. */
export function gain(grade: number): number {
  throw new Error('TODO: implement gain(grade)');
}

/** DCG@k / ideal DCG@k with gain 2^grade - 1 and discount 1 / log2(rank + 1). 0 when nothing is relevant. */
export function ndcgAtK(ranking: readonly string[], qrels: Qrels, k: number): number {
  throw new Error('TODO: implement ndcgAtK(ranking, qrels, k)');
}

/** Mean metrics of one retriever over a query set. */
export interface RunScores {
  recall: number;
  mrr: number;
  ndcg: number;
}

/** Average recall, MRR and nDCG at k over every query that has qrels (a query with no ranking scores 0). */
export function evaluateRun(rankings: Readonly<Record<string, readonly string[]>>, qrels: Readonly<Record<string, Qrels>>, k: number): RunScores {
  throw new Error('TODO: implement evaluateRun(rankings, qrels, k)');
}

/** A Markdown table comparing retrievers: a header, a separator, one row each, metrics to 3 decimals. */
export function formatReport(rows: readonly ({ name: string } & RunScores)[], k: number): string {
  throw new Error('TODO: implement formatReport(rows, k)');
}
