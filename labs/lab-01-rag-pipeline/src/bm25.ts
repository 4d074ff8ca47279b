/**
 * Task 4a: Okapi BM25 over chunks.
 *
 * Edit this file. `npm run check lab-01` grades it.
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
 * Terms come from analyze() (no stemming, no stopwords); |d| is the number of terms of d, avgdl
 * their mean over the index, N the number of texts, df(t) how many texts contain t.
 *
 * TODO:
 * - add(): analyze the text, record its length and a posting (text -> tf) for each term;
 * - search(): checkK(k); an empty index -> RagError('EMPTY_CORPUS'); score only the texts that
 *   contain at least one query term (walk the postings, not every text); count each distinct
 *   query term once; sort with ranksBefore and return the top k.
 */
export class Bm25Index {
  readonly k1: number;
  readonly b: number;

  constructor(options: Bm25Options = {}) {
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
  }

  get size(): number {
    throw new Error('TODO: implement Bm25Index.size');
  }

  /** Index one text under an id. */
  add(id: string, text: string): void {
    throw new Error('TODO: implement Bm25Index.add(id, text)');
  }

  /** The k best texts for `query`; only texts that share a term with it; ties by id. */
  search(query: string, k: number): SearchHit[] {
    throw new Error('TODO: implement Bm25Index.search(query, k)');
  }
}
