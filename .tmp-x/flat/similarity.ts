/**
 * lab-00 warm-up: cosine similarity and a stable top-k (reference solution).
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

/** Cosine similarity of two vectors, 0 when either has norm 0. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) {
    throw new RangeError(`cosine: vectors have different lengths (${a.length} and ${b.length})`);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}

/** The k items most similar to `query`, best first, ties broken by id ascending. */
export function topK(items: readonly Item[], query: readonly number[], k: number): Hit[] {
  if (k <= 0) return [];
  const hits = items.map((item) => ({ id: item.id, score: cosine(item.vector, query) }));
  hits.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return hits.slice(0, k);
}
