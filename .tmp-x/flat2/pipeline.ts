/**
 * Task 4c: the retrieval pipeline: chunk, index twice (BM25 and vectors), search three ways.
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

/** Chunk the corpus, embed every chunk, and index the chunks for BM25 and for cosine search. */
export async function buildPipeline(docs: readonly Doc[], options: PipelineOptions = {}): Promise<Pipeline> {
  const chunks = chunkCorpus(docs, options.chunking ?? DEFAULT_CHUNKING);
  const embedder = options.embedder ?? new HashEmbedder();
  const candidates = options.candidates ?? 20;
  const vectors = await embedder.embed(chunks.map((c) => c.text));
  const index = new VectorIndex(vectors[0].length);
  const bm25 = new Bm25Index();
  chunks.forEach((chunk, i) => {
    index.add(chunk.id, vectors[i]);
    bm25.add(chunk.id, chunk.text);
  });
  const docOf = new Map(chunks.map((c) => [c.id, c.docId]));

  const searchChunks = async (query: string, mode: RetrievalMode, k: number): Promise<SearchHit[]> => {
    checkK(k);
    const depth = Math.max(k, candidates);
    const lexical = mode === 'dense' ? [] : bm25.search(query, depth);
    const dense = mode === 'bm25' ? [] : index.search((await embedder.embed([query]))[0], depth);
    if (mode === 'bm25') return lexical.slice(0, k);
    if (mode === 'dense') return dense.slice(0, k);
    return reciprocalRankFusion([lexical, dense]).slice(0, k);
  };

  // best chunk first: a document ranks where its best chunk ranks
  const toDocuments = (hits: readonly SearchHit[]): SearchHit[] => {
    const seen = new Map<string, SearchHit>();
    for (const hit of hits) {
      const doc = docOf.get(hit.id)!;
      if (!seen.has(doc)) seen.set(doc, { id: doc, score: hit.score });
    }
    return [...seen.values()];
  };

  const searchDocuments = async (query: string, mode: RetrievalMode, k: number): Promise<string[]> => {
    checkK(k);
    const depth = Math.max(k, candidates);
    const lists = mode === 'hybrid' ? [await searchChunks(query, 'bm25', depth), await searchChunks(query, 'dense', depth)] : [await searchChunks(query, mode, depth)];
    // fuse per document, so evidence from different chunks of one page adds up
    const ranked = lists.length === 1 ? toDocuments(lists[0]) : reciprocalRankFusion(lists.map(toDocuments));
    return ranked.slice(0, k).map((h) => h.id);
  };

  return { chunks, searchChunks, searchDocuments };
}
