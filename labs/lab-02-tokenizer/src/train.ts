/**
 * Task 1: byte-level BPE training with incremental pair counts.
 *
 * Tie-break (the README's rule): the pair with the highest count wins; among equal counts, the pair
 * with the smallest left id wins, then the smallest right id.
 */
import { splitText } from './pretokenize.ts';
import { Tokenizer, type Merge } from './tokenizer.ts';

/** Options of {@link trainBPE}. */
export interface TrainOptions {
  /** Split pattern used to cut the corpus into chunks; merges never cross a chunk boundary. */
  pattern?: string;
  /** Special tokens, given ids right after the last merge, in this order. */
  specialTokens?: readonly string[];
}

/**
 * Trains a byte-level BPE tokenizer with vocabSize - 256 merges (fewer if the corpus runs out of
 * pairs) and returns `Tokenizer.fromMerges(merges, { pattern, specialTokens })`.
 *
 * TODO (task 1):
 *  - throw a RangeError mentioning 256 when vocabSize is not an integer >= 256;
 *  - throw an Error mentioning "empty" when text is empty;
 *  - split the text with splitText(text, options.pattern) and count each distinct chunk once, with
 *    its number of occurrences: merges never cross a chunk boundary;
 *  - each chunk starts as its UTF-8 bytes (ids 0..255); merge k creates id 256 + k;
 *  - pick the most frequent pair (ties: smallest left id, then smallest right id), replace it
 *    left to right in every chunk that contains it, and repeat;
 *  - keep pair counts up to date incrementally (only the chunks that contain the merged pair change)
 *    instead of recounting everything after each merge: that is what makes vocab 1024 on 1 MB fast.
 */
export function trainBPE(text: string, vocabSize: number, options: TrainOptions = {}): Tokenizer {
  throw new Error('TODO: trainBPE (task 1)');
}
