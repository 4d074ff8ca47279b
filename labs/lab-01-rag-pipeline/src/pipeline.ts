/**
 * Task 4c: the retrieval pipeline: chunk, index twice (BM25 and vectors), search three ways.
 *
 * Edit this file. `npm run check lab-01` grades it.
 */
import { Bm25Index } from './bm25.ts';
import { type Chunk, type ChunkOptions, type Doc, DEFAULT_CHUNKING, chunkCorpus } from './chunk.ts';
import { type Embedder, HashEmbedder } from './embed.ts';
import { reciprocalRankFusion } from './fusion.ts';
import { type SearchHit, VectorIndex, checkK } from './vector-index.ts';

/** How a query is answered: lexical only, dense only, or both fused with RRF. */
export type RetrievalMode = 'bm25' | 'dense' | 'hybrid';

/** How to build a pipeline. */
export interface PipelineOptions {
  chunking?: ChunkOptions;
  /** Default: new HashEmbedder(). */
  embedder?: Embedder;
  /** How many chunks each retriever contributes before fusion (default 20). */
  candidates?: number;
}

/** A built pipeline over one corpus. */
export interface Pipeline {
  readonly chunks: readonly Chunk[];
  /** The k best chunks for a query. */
  searchChunks(query: string, mode: RetrievalMode, k: number): Promise<SearchHit[]>;
  /** The k best distinct documents: each document ranks where its best chunk ranks. */
  searchDocuments(query: string, mode: RetrievalMode, k: number): Promise<string[]>;
}

/**
 * Chunk the corpus, embed every chunk, and index the chunks for BM25 and for cosine search.
 *
 * TODO:
 * - chunkCorpus(docs, options.chunking ?? DEFAULT_CHUNKING), embed every chunk text with the
 *   embedder (default new HashEmbedder()), add each chunk to a VectorIndex and a Bm25Index;
 * - searchChunks(query, mode, k): checkK(k); 'bm25' and 'dense' return that retriever's top k;
 *   'hybrid' fuses both retrievers' top max(k, candidates) lists with reciprocalRankFusion;
 * - searchDocuments(query, mode, k): checkK(k); turn each retriever's top max(k, candidates)
 *   chunks into a document ranking (a document ranks where its best chunk ranks, once); for
 *   'hybrid' fuse the two document rankings with reciprocalRankFusion (c = 60), so evidence
 *   from different chunks of one page adds up; return the first k document ids.
 */
export async function buildPipeline(docs: readonly Doc[], options: PipelineOptions = {}): Promise<Pipeline> {
  throw new Error('TODO: implement buildPipeline(docs, options)');
}
