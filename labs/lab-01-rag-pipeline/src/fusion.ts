/**
 * Task 4b: reciprocal rank fusion.
 *
 * Edit this file. `npm run check lab-01` grades it.
 */
import { RagError } from './errors.ts';
import { type SearchHit, ranksBefore } from './vector-index.ts';

/**
 * Fuse ranked lists by reciprocal rank: score(id) = sum over lists containing id of 1 / (c + rank),
 * with rank 1 for the top of each list. Best first, ties by id (ranksBefore).
 *
 * TODO: ignore the lists' own scores entirely: BM25 scores run to 10 or 20 while cosine stays
 * below 1, so adding them would let BM25 decide alone. Only the positions count.
 */
export function reciprocalRankFusion(lists: readonly (readonly SearchHit[])[], c = 60): SearchHit[] {
  throw new Error('TODO: implement reciprocalRankFusion(lists, c)');
}
