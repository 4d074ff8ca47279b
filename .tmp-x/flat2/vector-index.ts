/**
 * Task 3: an exact cosine top-k index over one flat Float32Array.
 */
import { RagError } from './errors.ts';

/** One search result: an id and its score (higher is better). */
export interface SearchHit {
  id: string;
  score: number;
}

/** Throw INVALID_K unless k is a positive integer. */
export function checkK(k: number): void {
  if (!Number.isInteger(k) || k <= 0) throw new RagError('INVALID_K', `k must be a positive integer, got ${k}`);
}

/** True when hit a ranks before hit b: higher score first, then smaller id (plain < on strings). */
export function ranksBefore(a: SearchHit, b: SearchHit): boolean {
  return a.score > b.score || (a.score === b.score && a.id < b.id);
}

/**
 * Exact cosine search. Vectors are stored L2-normalized, row after row, in one Float32Array
 * that doubles when full, so a query is one tight loop of dot products over contiguous memory.
 */
export class VectorIndex {
  readonly dim: number;
  private data: Float32Array;
  private readonly ids: string[] = [];
  private readonly known = new Set<string>();

  constructor(dim: number) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RagError('INVALID_OPTIONS', `dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.data = new Float32Array(dim * 64);
  }

  /** How many vectors are stored. */
  get size(): number {
    return this.ids.length;
  }

  /** Store a vector under a new id. A zero vector is allowed: it scores 0 against everything. */
  add(id: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dim) {
      throw new RagError('DIMENSION_MISMATCH', `vector "${id}" has ${vector.length} dimensions, the index holds ${this.dim}`);
    }
    if (this.known.has(id)) throw new RagError('DUPLICATE_ID', `id "${id}" is already in the index`);
    let norm = 0;
    for (let i = 0; i < this.dim; i++) norm += vector[i] * vector[i];
    norm = Math.sqrt(norm);
    const row = this.ids.length;
    if ((row + 1) * this.dim > this.data.length) {
      const bigger = new Float32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const base = row * this.dim;
    for (let i = 0; i < this.dim; i++) this.data[base + i] = norm > 0 ? vector[i] / norm : 0;
    this.ids.push(id);
    this.known.add(id);
  }

  /** The k stored vectors most similar to `query` by cosine, best first, ties by id. */
  search(query: ArrayLike<number>, k: number): SearchHit[] {
    checkK(k);
    if (query.length !== this.dim) {
      throw new RagError('DIMENSION_MISMATCH', `the query has ${query.length} dimensions, the index holds ${this.dim}`);
    }
    let qnorm = 0;
    for (let i = 0; i < this.dim; i++) qnorm += query[i] * query[i];
    qnorm = Math.sqrt(qnorm);
    const q = new Float32Array(this.dim);
    if (qnorm > 0) for (let i = 0; i < this.dim; i++) q[i] = query[i] / qnorm;

    // keep the best k in a small sorted array; most rows lose to the current k-th and cost one compare
    const top: SearchHit[] = [];
    const { data, dim, ids } = this;
    for (let row = 0, base = 0; row < ids.length; row++, base += dim) {
      // four independent sums let the CPU overlap the multiply-adds
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      let i = 0;
      for (; i + 3 < dim; i += 4) {
        d0 += q[i] * data[base + i];
        d1 += q[i + 1] * data[base + i + 1];
        d2 += q[i + 2] * data[base + i + 2];
        d3 += q[i + 3] * data[base + i + 3];
      }
      for (; i < dim; i++) d0 += q[i] * data[base + i];
      const dot = d0 + d1 + (d2 + d3);
      if (top.length === k) {
        const worst = top[k - 1];
        if (dot < worst.score || (dot === worst.score && ids[row] > worst.id)) continue;
        top[k - 1] = { id: ids[row], score: dot };
      } else {
        top.push({ id: ids[row], score: dot });
      }
      for (let i = top.length - 1; i > 0 && ranksBefore(top[i], top[i - 1]); i--) {
        const t = top[i];
        top[i] = top[i - 1];
        top[i - 1] = t;
      }
    }
    return top;
  }
}
