/**
 * Typed errors for the RAG pipeline. This file is given: you throw these, you do not edit it.
 *
 * Every bad input gets a RagError with a stable `code`, so callers (and the checks) can tell
 * "the corpus was empty" apart from "the embedding endpoint said 401" without parsing messages.
 */

/** The stable codes a RagError can carry. */
export type RagErrorCode =
  | 'EMPTY_DOCUMENT'
  | 'EMPTY_CORPUS'
  | 'INVALID_K'
  | 'INVALID_OPTIONS'
  | 'DUPLICATE_ID'
  | 'DIMENSION_MISMATCH'
  | 'BUDGET_TOO_SMALL'
  | 'UNRESOLVED_CITATION'
  | 'EMBEDDING_AUTH'
  | 'EMBEDDING_NOT_FOUND'
  | 'EMBEDDING_RATE_LIMITED'
  | 'EMBEDDING_UNAVAILABLE'
  | 'EMBEDDING_MALFORMED'
  | 'EMBEDDING_FAILED';

/** The one error class of this lab: a code for programs, a message for people. */
export class RagError extends Error {
  readonly code: RagErrorCode;

  constructor(code: RagErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RagError';
    this.code = code;
  }
}
