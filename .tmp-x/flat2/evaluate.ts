/**
 * Task 6: ranking metrics with graded relevance, and a comparison table.
 */
import { checkK } from './vector-index.ts';

/** Graded judgments for one query: doc id -> grade (0 = not relevant, 1 = relevant, 2 = highly relevant). */
export type Qrels = Readonly<Record<string, number>>;

function relevantIds(qrels: Qrels): string[] {
  return Object.keys(qrels).filter((id) => qrels[id] > 0);
}

/** Share of the relevant documents (grade > 0) found in the top k. 0 when nothing is relevant. */
export function recallAtK(ranking: readonly string[], qrels: Qrels, k: number): number {
  checkK(k);
  const relevant = relevantIds(qrels);
  if (relevant.length === 0) return 0;
  const top = new Set(ranking.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

/** 1 / rank of the first relevant document in the top k, or 0. */
export function mrrAtK(ranking: readonly string[], qrels: Qrels, k: number): number {
  checkK(k);
  const i = ranking.slice(0, k).findIndex((id) => (qrels[id] ?? 0) > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

/** Exponential gain 2^grade - 1: a grade-2 document is worth three grade-1 documents. */
export function gain(grade: number): number {
  return 2 ** grade - 1;
}

/** DCG@k / ideal DCG@k with gain 2^grade - 1 and discount 1 / log2(rank + 1). 0 when nothing is relevant. */
export function ndcgAtK(ranking: readonly string[], qrels: Qrels, k: number): number {
  checkK(k);
  const dcg = ranking.slice(0, k).reduce((sum, id, i) => sum + gain(qrels[id] ?? 0) / Math.log2(i + 2), 0);
  const ideal = Object.values(qrels)
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, g, i) => sum + gain(g) / Math.log2(i + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Mean metrics of one retriever over a query set. */
export interface RunScores {
  recall: number;
  mrr: number;
  ndcg: number;
}

/** Average recall, MRR and nDCG at k over every query that has qrels. */
export function evaluateRun(rankings: Readonly<Record<string, readonly string[]>>, qrels: Readonly<Record<string, Qrels>>, k: number): RunScores {
  checkK(k);
  const qids = Object.keys(qrels);
  const mean = (f: (q: string) => number) => (qids.length === 0 ? 0 : qids.reduce((s, q) => s + f(q), 0) / qids.length);
  return {
    recall: mean((q) => recallAtK(rankings[q] ?? [], qrels[q], k)),
    mrr: mean((q) => mrrAtK(rankings[q] ?? [], qrels[q], k)),
    ndcg: mean((q) => ndcgAtK(rankings[q] ?? [], qrels[q], k)),
  };
}

/** A Markdown table comparing retrievers, one row each, metrics to 3 decimals. */
export function formatReport(rows: readonly ({ name: string } & RunScores)[], k: number): string {
  const lines = [`| retriever | recall@${k} | MRR@${k} | nDCG@${k} |`, '|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.recall.toFixed(3)} | ${r.mrr.toFixed(3)} | ${r.ndcg.toFixed(3)} |`);
  return lines.join('\n');
}
