/**
 * Task 1: token-window chunking with an exact overlap and character offsets.
 *
 * Edit this file. `npm run check lab-01` grades it.
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

/**
 * Split one document into overlapping token windows that never cut a character in half.
 *
 * TODO:
 * - validate: maxTokens an integer >= 16 and overlap an integer in [0, maxTokens / 2], else
 *   RagError('INVALID_OPTIONS'); a text that is empty or only whitespace: RagError('EMPTY_DOCUMENT');
 * - tokenize(doc.text) gives the token ids and offsets[i], the string index where token i starts
 *   (-1 when token i starts inside a character; offsets[ids.length] is text.length);
 * - greedy windows over token positions: a chunk spans tokens [first, last) with
 *   last = min(total, first + maxTokens), and the next chunk starts at last - overlap;
 * - a boundary must be a character boundary: if offsets[last] (or offsets[next first]) is -1,
 *   move it back until it is not. Plain text never needs this; emoji and CJK do;
 * - text = doc.text.slice(offsets[first], offsets[last]); stop after the chunk that reaches the end.
 */
export function chunkDocument(doc: Doc, options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  throw new Error('TODO: implement chunkDocument(doc, options)');
}

/**
 * Chunk every document of a corpus, in order.
 *
 * TODO: an empty list of documents is RagError('EMPTY_CORPUS'); otherwise chunk each document.
 */
export function chunkCorpus(docs: readonly Doc[], options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  throw new Error('TODO: implement chunkCorpus(docs, options)');
}
