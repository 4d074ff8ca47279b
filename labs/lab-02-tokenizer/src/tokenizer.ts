/**
 * Tasks 1, 4 and 5: a byte-level BPE tokenizer with tiktoken's encoding rule, special tokens and
 * persistence. Training lives in train.ts, loading real ranks in ranks.ts.
 */
import { splitPattern } from './pretokenize.ts';

/** `'all'` or an explicit list of special-token strings, as in tiktoken. */
export type SpecialSet = 'all' | readonly string[];

/** Options of {@link Tokenizer.encode}; the defaults are tiktoken's. */
export interface EncodeOptions {
  /** Specials that are encoded as their special id. Default: none. */
  allowedSpecial?: SpecialSet;
  /** Specials whose presence in the text throws. Default `'all'`: every special not allowed. */
  disallowedSpecial?: SpecialSet;
}

/** A pair of token ids merged into a new token; merge k creates id 256 + k. */
export type Merge = readonly [number, number];

/** Everything a tokenizer is made of, apart from the learned merges. */
export interface TokenizerOptions {
  /** Special token string -> id. Ids must not collide with ordinary ids. */
  specialTokens?: Record<string, number>;
  /** The split pattern (a JavaScript regex source, used with the `gu` flags). */
  pattern?: string;
}

/** A byte-level BPE tokenizer that encodes exactly like tiktoken for the same ranks. */
export class Tokenizer {
  /** The split pattern in use. */
  readonly pattern: string;
  /** Special token string -> id. */
  readonly specialTokens: Readonly<Record<string, number>>;
  /** The learned merges (only for tokenizers built from merges; needed by save()). */
  readonly merges: readonly Merge[] | undefined;

  /**
   * Builds a tokenizer from its vocabulary: `vocab[id]` is the byte sequence of token `id`.
   * The id of a byte sequence is its rank: lower ids merge first.
   *
   * TODO (task 1): keep what encode and decode need, e.g. a Map from byte sequence to id (a
   * "binary" string with one char per byte makes a fast key) and the special tokens both ways.
   */
  constructor(vocab: readonly (Uint8Array | undefined)[], options: TokenizerOptions = {}, merges?: readonly Merge[]) {
    this.pattern = options.pattern ?? splitPattern;
    this.specialTokens = { ...(options.specialTokens ?? {}) };
    this.merges = merges;
    throw new Error('TODO: Tokenizer constructor (task 1)');
  }

  /**
   * Builds the tokenizer defined by byte-level merges: ids 0..255 are the single bytes, merge k
   * creates id 256 + k whose bytes are bytes(a) followed by bytes(b).
   *
   * TODO (task 1): build the vocab array, throw a RangeError if a merge refers to an id that does
   * not exist yet, and return `new Tokenizer(vocab, options, merges)`.
   */
  static fromMerges(merges: readonly Merge[], options: TokenizerOptions = {}): Tokenizer {
    throw new Error('TODO: Tokenizer.fromMerges (task 1)');
  }

  /** Number of ids in use: ordinary tokens plus special tokens. */
  get vocabSize(): number {
    throw new Error('TODO: vocabSize (task 1)');
  }

  /**
   * Encodes text, with tiktoken's special-token semantics.
   *
   * TODO (task 4): allowed = allowedSpecial ('all' = every special; default none); disallowed =
   * disallowedSpecial (default 'all' = every special that is not allowed). If the text contains a
   * disallowed special, throw an Error naming it. Allowed specials become their id; the text
   * between them goes through encodeOrdinary. Specials that are neither are plain text.
   */
  encode(text: string, options: EncodeOptions = {}): number[] {
    throw new Error('TODO: encode (task 4)');
  }

  /**
   * Encodes text with no special-token handling at all.
   *
   * TODO (task 1): split the text with this.pattern; for each chunk take its UTF-8 bytes; if the
   * whole chunk is a token, emit it; otherwise start from single bytes and repeatedly merge the
   * adjacent pair whose concatenation is the token with the lowest id (the leftmost one on ties),
   * until no adjacent concatenation is a token. A chunk can be 1,000,000 bytes long: see the README
   * for a merge loop that is not quadratic.
   */
  encodeOrdinary(text: string): number[] {
    throw new Error('TODO: encodeOrdinary (task 1)');
  }

  /**
   * Decodes ids to text; invalid UTF-8 becomes U+FFFD, as in tiktoken.
   *
   * TODO (task 1): concatenate the bytes (decodeBytes) and decode them with a TextDecoder. Mind a
   * leading U+FEFF: the text "\uFEFFhi" must come back unchanged.
   */
  decode(ids: readonly number[]): string {
    throw new Error('TODO: decode (task 1)');
  }

  /**
   * Decodes ids to the exact bytes they stand for.
   *
   * TODO (task 1): an id that is neither a token nor a special throws a RangeError naming the id.
   */
  decodeBytes(ids: readonly number[]): Uint8Array {
    throw new Error('TODO: decodeBytes (task 1)');
  }

  /**
   * Serializes the tokenizer to a JSON string (the format is in the README):
   * `{"format":"ailab-bpe","version":1,"pattern":...,"vocabSize":...,"merges":[[a,b],...],"specialTokens":{...}}`.
   *
   * TODO (task 5): throw if this tokenizer has no merges (it was built from a raw vocab).
   */
  save(): string {
    throw new Error('TODO: save (task 5)');
  }

  /**
   * Restores a tokenizer written by save().
   *
   * TODO (task 5): a corrupt or truncated file (not JSON, wrong format or version, a merge that
   * refers to a later id, a vocabSize that does not match, a bad special id) throws an Error whose
   * message says the file is corrupt or truncated.
   */
  static load(saved: string): Tokenizer {
    throw new Error('TODO: Tokenizer.load (task 5)');
  }
}
