import type { Token } from './tokens.ts';

/** One selected fingerprint: the hash of a k-gram of tokens, and the lines that k-gram covers. */
export interface Fingerprint {
  hash: number;
  file: string;
  /** Index of the k-gram's first token in the file's token stream. */
  at: number;
  from: number;
  to: number;
}

/** The winnowing parameters: k-grams of `k` tokens, and one fingerprint chosen in every window of `w` k-grams. */
export interface WinnowOptions {
  k: number;
  w: number;
}

/** k = 12 tokens and w = 8: any run of at least k + w - 1 = 19 shared tokens (a statement or two) is found. */
export const WINNOW: WinnowOptions = { k: 12, w: 8 };

/** FNV-1a over the kind codes of tokens[i .. i+k). */
function hashGram(tokens: Token[], i: number, k: number): number {
  let h = 0x811c9dc5;
  for (let j = i; j < i + k; j++) {
    const code = tokens[j].kind;
    h = Math.imul(h ^ (code & 0xff), 0x01000193);
    h = Math.imul(h ^ (code >>> 8), 0x01000193);
  }
  return h >>> 0;
}

/**
 * Winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003): hash every k-gram of the token stream,
 * and in each window of w consecutive hashes keep the smallest (the rightmost one on a tie), once.
 * A file shorter than one k-gram gives none.
 */
export function winnow(file: string, tokens: Token[], opts: WinnowOptions = WINNOW): Fingerprint[] {
  const { k, w } = opts;
  const grams = tokens.length - k + 1;
  if (grams <= 0) return [];
  const hashes = Array.from({ length: grams }, (_, i) => hashGram(tokens, i, k));
  const picked: Fingerprint[] = [];
  // One window when there are fewer k-grams than w, else one per starting k-gram.
  const windows = Math.max(1, grams - w + 1);
  for (let start = 0, last = -1; start < windows; start++) {
    let min = start;
    for (let i = start + 1; i < Math.min(start + w, grams); i++) if (hashes[i] <= hashes[min]) min = i;
    if (min !== last) {
      picked.push({ hash: hashes[min], file, at: min, from: tokens[min].line, to: tokens[min + k - 1].line });
      last = min;
    }
  }
  return picked;
}
