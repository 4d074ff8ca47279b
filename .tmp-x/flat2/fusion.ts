/**
 * Task 4b: reciprocal rank fusion.
 */
import { RagError } from './errors.ts';
import { type SearchHit, ranksBefore } from './vector-index.ts';

/**
 * Fuse ranked lists by reciprocal rank: score(id) = sum over lists containing id of 1 / (c + rank),
 * with rank 1 for the top of each list. Scores of different retrievers are never compared, only
 * ranks, so BM25's unbounded scores and cosine's [-1, 1] mix fairly. Best first, ties by id.
 */
export function reciprocalRankFusion(lists: readonly (readonly SearchHit[])[], c = 60): SearchHit[] {
  if (!(c >= 0)) throw new RagError('INVALID_OPTIONS', `the RRF constant must be >= 0, got ${c}`);
  const fused = new Map<string, number>();
  for (const list of lists) {
    list.forEach((hit, i) => fused.set(hit.id, (fused.get(hit.id) ?? 0) + 1 / (c + i + 1)));
  }
  const hits = [...fused].map(([id, score]) => ({ id, score }));
  hits.sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0));
  return hits;
}
