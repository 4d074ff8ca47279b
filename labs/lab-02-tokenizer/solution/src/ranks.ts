/**
 * Task 3: load tiktoken's ranks (the compact format js-tiktoken bundles) into our Tokenizer.
 *
 * `bpe_ranks` is one or more lines `<label> <offset> <base64 token> <base64 token> ...`: the i-th
 * token on a line has rank offset + i, and a token's rank is its id.
 */
import { Tokenizer } from './tokenizer.ts';

/** The shape of js-tiktoken's bundled rank files (`js-tiktoken/ranks/cl100k_base` etc.). */
export interface TiktokenRanks {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/** Builds a Tokenizer that encodes exactly like tiktoken from a js-tiktoken rank file, offline. */
export function loadTiktokenRanks(ranks: TiktokenRanks): Tokenizer {
  const vocab: Uint8Array[] = [];
  for (const line of ranks.bpe_ranks.split('\n')) {
    if (line.length === 0) continue;
    const fields = line.split(' ');
    const offset = Number.parseInt(fields[1] ?? '', 10);
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`loadTiktokenRanks: bad offset in line starting ${JSON.stringify(line.slice(0, 40))}`);
    for (let i = 2; i < fields.length; i++) {
      vocab[offset + i - 2] = Uint8Array.from(Buffer.from(fields[i]!, 'base64'));
    }
  }
  return new Tokenizer(vocab, { pattern: ranks.pat_str, specialTokens: ranks.special_tokens });
}
