/**
 * Task 3: an exact cosine top-k index over one flat Float32Array.
 *
 * Edit this file. `npm run check lab-01` grades it.
 */
import { RagError } from './errors.ts';

/** One search result: an id and its score (higher is better). */
export interface SearchHit {
  id: string;
  score: number;
}

/** Throw RagError('INVALID_K') unless k is a positive integer. Used by every search in the lab. */
export function checkK(k: number): void {
  throw new Error('TODO: implement checkK(k)');
}

/**
 * True when hit a ranks before hit b: higher score first, then the smaller id.
 * Compare ids with plain < (code-unit order), not localeCompare, so the order never depends on a locale.
 */
export function ranksBefore(a: SearchHit, b: SearchHit): boolean {
  throw new Error('TODO: implement ranksBefore(a, b)');
}

/**
 * Exact cosine search over vectors stored row after row in one Float32Array.
 *
 * TODO:
 * - keep one Float32Array of capacity * dim floats and grow it (double it) when full: no number[][];
 * - store each vector L2-normalized, so a query is only dot products; a zero vector stays all
 *   zeros and scores 0 against everything (never NaN);
 * - add: wrong length -> RagError('DIMENSION_MISMATCH'); an id already stored -> 'DUPLICATE_ID';
 * - search: checkK(k); wrong query length -> 'DIMENSION_MISMATCH'; normalize the query (a zero
 *   query scores 0 everywhere); keep the best k in a small sorted array while scanning, ordered
 *   by ranksBefore; k larger than the index returns every vector.
 */
export class VectorIndex {
  readonly dim: number;

  constructor(dim: number) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RagError('INVALID_OPTIONS', `dim must be a positive integer, got ${dim}`);
    this.dim = dim;
  }

  /** How many vectors are stored. */
  get size(): number {
    throw new Error('TODO: implement VectorIndex.size');
  }

  /** Store a vector under a new id. */
  add(id: string, vector: ArrayLike<number>): void {
    throw new Error('TODO: implement VectorIndex.add(id, vector)');
  }

  /** The k stored vectors most similar to `query` by cosine, best first, ties by id. */
  search(query: ArrayLike<number>, k: number): SearchHit[] {
    throw new Error('TODO: implement VectorIndex.search(query, k)');
  }
}
