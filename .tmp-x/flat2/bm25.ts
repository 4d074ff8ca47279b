/**
 * Task 4a: Okapi BM25 over chunks.
 */
import { RagError } from './errors.ts';
import { analyze } from './text.ts';
import { type SearchHit, checkK, ranksBefore } from './vector-index.ts';

/** BM25 parameters. */
export interface Bm25Options {
  /** Term-frequency saturation (default 1.2). */
  k1?: number;
  /** Length normalization, 0 (none) to 1 (full) (default 0.75). */
  b?: number;
}

/**
 * An inverted index scored with Okapi BM25:
 *   score(d, q) = sum over distinct terms t of q of
 *     idf(t) * tf(t, d) * (k1 + 1) / (tf(t, d) + k1 * (1 - b + b * |d| / avgdl))
 *   idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
 * Terms come from analyze(); |d| is the number of terms of d; avgdl their mean over the index.
 */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly ids: string[] = [];
  private readonly lengths: number[] = [];
  private totalLength = 0;

  constructor(options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Index one text under an id. */
  add(id: string, text: string): void {
    const row = this.ids.length;
    const terms = analyze(text);
    this.ids.push(id);
    this.lengths.push(terms.length);
    this.totalLength += terms.length;
    for (const t of terms) {
      let docs = this.postings.get(t);
      if (!docs) this.postings.set(t, (docs = new Map()));
      docs.set(row, (docs.get(row) ?? 0) + 1);
    }
  }

  /** The k best texts for `query`; only texts that share a term with it; ties by id. */
  search(query: string, k: number): SearchHit[] {
    checkK(k);
    if (this.ids.length === 0) throw new RagError('EMPTY_CORPUS', 'the BM25 index is empty: add texts before searching');
    const n = this.ids.length;
    const avgdl = this.totalLength / n || 1;
    const scores = new Map<number, number>();
    for (const term of new Set(analyze(query))) {
      const docs = this.postings.get(term);
      if (!docs) continue;
      const idf = Math.log(1 + (n - docs.size + 0.5) / (docs.size + 0.5));
      for (const [row, tf] of docs) {
        const norm = this.k1 * (1 - this.b + (this.b * this.lengths[row]) / avgdl);
        scores.set(row, (scores.get(row) ?? 0) + (idf * tf * (this.k1 + 1)) / (tf + norm));
      }
    }
    const hits = [...scores].map(([row, score]) => ({ id: this.ids[row], score }));
    hits.sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0));
    return hits.slice(0, k);
  }
}
