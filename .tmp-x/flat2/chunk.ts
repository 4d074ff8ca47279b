/**
 * Task 1: token-window chunking with an exact overlap and character offsets.
 */
import { RagError } from './errors.ts';
import { tokenize } from './tokenizer.ts';

/** A source document. */
export interface Doc {
  id: string;
  title?: string;
  text: string;
}

/** One chunk of a document, with where it came from. */
export interface Chunk {
  /** `${docId}#${index}`, e.g. "coffee-03#2". */
  id: string;
  docId: string;
  /** 0, 1, 2, ... in document order. */
  index: number;
  /** Exactly `doc.text.slice(start, end)`. */
  text: string;
  /** UTF-16 index of the first character in the document (inclusive). */
  start: number;
  /** UTF-16 index just past the last character (exclusive). */
  end: number;
  /** How many tokens of the document's own encoding this chunk spans. */
  tokenCount: number;
}

/** Chunk sizes, in cl100k tokens. */
export interface ChunkOptions {
  /** The most tokens a chunk may span; an integer >= 16. */
  maxTokens: number;
  /** Tokens shared by consecutive chunks; an integer, 0 <= overlap <= maxTokens / 2. */
  overlap: number;
}

/** The sizes the pipeline uses unless told otherwise. */
export const DEFAULT_CHUNKING: ChunkOptions = { maxTokens: 128, overlap: 24 };

function checkOptions({ maxTokens, overlap }: ChunkOptions): void {
  if (!Number.isInteger(maxTokens) || maxTokens < 16) {
    throw new RagError('INVALID_OPTIONS', `maxTokens must be an integer >= 16, got ${maxTokens}`);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > maxTokens / 2) {
    throw new RagError('INVALID_OPTIONS', `overlap must be an integer in [0, maxTokens / 2 = ${maxTokens / 2}], got ${overlap}`);
  }
}

/** Split one document into overlapping token windows that never cut a character in half. */
export function chunkDocument(doc: Doc, options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  checkOptions(options);
  if (doc.text.trim() === '') {
    throw new RagError('EMPTY_DOCUMENT', `document "${doc.id}" has no text to chunk`);
  }
  const { maxTokens, overlap } = options;
  const { ids, offsets } = tokenize(doc.text);
  const total = ids.length;
  // a boundary is usable only where a character starts (offsets[i] >= 0)
  const snapBack = (i: number): number => {
    while (offsets[i] < 0) i--;
    return i;
  };
  const chunks: Chunk[] = [];
  let first = 0;
  for (;;) {
    const last = snapBack(Math.min(total, first + maxTokens));
    const start = offsets[first];
    const end = offsets[last];
    const index = chunks.length;
    chunks.push({ id: `${doc.id}#${index}`, docId: doc.id, index, text: doc.text.slice(start, end), start, end, tokenCount: last - first });
    if (last === total) break;
    first = snapBack(last - overlap);
  }
  return chunks;
}

/** Chunk every document of a corpus, in order. */
export function chunkCorpus(docs: readonly Doc[], options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  if (docs.length === 0) throw new RagError('EMPTY_CORPUS', 'the corpus has no documents to chunk');
  return docs.flatMap((doc) => chunkDocument(doc, options));
}
