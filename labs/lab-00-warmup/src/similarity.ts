/**
 * lab-00 warm-up: cosine similarity and a stable top-k.
 *
 * Edit this file. `npm run check lab-00` grades it.
 */

/** One stored item: an id and its embedding vector. */
export interface Item {
  id: string;
  vector: readonly number[];
}

/** One search hit: the item's id and its cosine similarity to the query. */
export interface Hit {
  id: string;
  score: number;
}

/**
 * Cosine similarity of two vectors: dot(a, b) / (|a| * |b|), in [-1, 1].
 *
 * TODO:
 * - throw a RangeError when the lengths differ (say both lengths in the message);
 * - return 0 (never NaN) when either vector has zero length (norm 0).
 */
export function cosine(a: readonly number[], b: readonly number[]): number {
  throw new Error('TODO: implement cosine(a, b)');
}

/**
 * The k items most similar to `query`, best first.
 *
 * TODO:
 * - sort by score, descending;
 * - break ties by id, ascending, so the result never depends on input order;
 * - k <= 0 gives [], and k larger than the list gives every item;
 * - do not modify `items`.
 */
export function topK(items: readonly Item[], query: readonly number[], k: number): Hit[] {
  throw new Error('TODO: implement topK(items, query, k)');
}
