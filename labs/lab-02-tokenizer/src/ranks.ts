/**
 * Task 3: load tiktoken's ranks (the compact format js-tiktoken bundles) into your Tokenizer.
 */
import { Tokenizer } from './tokenizer.ts';

/** The shape of js-tiktoken's bundled rank files (`js-tiktoken/ranks/cl100k_base` etc.). */
export interface TiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/**
 * Builds a Tokenizer that encodes exactly like tiktoken from a js-tiktoken rank file, offline.
 *
 * TODO (task 3): `bpe_ranks` is one or more lines `<label> <offset> <base64> <base64> ...`; the i-th
 * base64 token on a line has rank (= id) offset + i. Decode each token to bytes, put it at vocab[id],
 * and return `new Tokenizer(vocab, { pattern: ranks.pat_str, specialTokens: ranks.special_tokens })`.
 */
export function loadTiktokenRanks(ranks: TiktokenRanks): Tokenizer {
  throw new Error('TODO: loadTiktokenRanks (task 3)');
}
