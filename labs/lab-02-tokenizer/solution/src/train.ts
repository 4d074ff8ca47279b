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

const ID_BITS = 2 ** 21; // pair key = left * 2^21 + right, so ids must stay below 2^21

/** A max-heap of [count, pairKey]: higher count first, then smaller key (smaller left, then right id). */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  private before(c1: number, k1: number, c2: number, k2: number): boolean {
    return c1 > c2 || (c1 === c2 && k1 < k2);
  }
  push(count: number, key: number): void {
    let i = this.keys.length;
    this.counts.push(count);
    this.keys.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(count, key, this.counts[p]!, this.keys[p]!)) break;
      this.counts[i] = this.counts[p]!;
      this.keys[i] = this.keys[p]!;
      i = p;
    }
    this.counts[i] = count;
    this.keys[i] = key;
  }
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0]!, this.keys[0]!];
    const c = this.counts.pop()!;
    const k = this.keys.pop()!;
    const n = this.keys.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && this.before(this.counts[r]!, this.keys[r]!, this.counts[l]!, this.keys[l]!) ? r : l;
        if (!this.before(this.counts[m]!, this.keys[m]!, c, k)) break;
        this.counts[i] = this.counts[m]!;
        this.keys[i] = this.keys[m]!;
        i = m;
      }
      this.counts[i] = c;
      this.keys[i] = k;
    }
    return top;
  }
}

/** Replaces every non-overlapping (a, b) in word, left to right, by id. */
function mergeWord(word: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
      out.push(id);
      i++;
    } else {
      out.push(word[i]!);
    }
  }
  return out;
}

/**
 * Trains a byte-level BPE tokenizer with vocabSize - 256 merges (fewer if the corpus runs out of
 * pairs). Pair counts are updated incrementally: a merge only touches the words that contain it.
 */
export function trainBPE(text: string, vocabSize: number, options: TrainOptions = {}): Tokenizer {
  if (!Number.isInteger(vocabSize) || vocabSize < 256) {
    throw new RangeError(`trainBPE: vocabSize must be an integer >= 256 (the 256 byte tokens), got ${vocabSize}`);
  }
  if (vocabSize >= ID_BITS) throw new RangeError(`trainBPE: vocabSize must be below ${ID_BITS}`);
  if (text.length === 0) throw new Error('trainBPE: cannot train on empty text');

  // Unique chunks with their counts: identical chunks are merged identically, so count them once.
  const chunkCounts = new Map<string, number>();
  for (const chunk of splitText(text, options.pattern)) chunkCounts.set(chunk, (chunkCounts.get(chunk) ?? 0) + 1);
  const utf8 = new TextEncoder();
  const words: number[][] = [];
  const weights: number[] = [];
  for (const [chunk, count] of chunkCounts) {
    words.push(Array.from(utf8.encode(chunk)));
    weights.push(count);
  }

  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>(); // pair -> words that (may) contain it
  const add = (w: number, sign: number, touched: Set<number> | null): void => {
    const word = words[w]!;
    for (let i = 0; i + 1 < word.length; i++) {
      const key = word[i]! * ID_BITS + word[i + 1]!;
      const c = (pairCounts.get(key) ?? 0) + sign * weights[w]!;
      if (c === 0) pairCounts.delete(key);
      else pairCounts.set(key, c);
      if (sign > 0) {
        let s = where.get(key);
        if (s === undefined) where.set(key, (s = new Set()));
        s.add(w);
      }
      touched?.add(key);
    }
  };
  for (let w = 0; w < words.length; w++) add(w, 1, null);
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);

  const merges: Merge[] = [];
  while (256 + merges.length < vocabSize && heap.size > 0) {
    const [count, key] = heap.pop();
    if (pairCounts.get(key) !== count) continue; // stale: the count changed after this entry was pushed
    const a = Math.floor(key / ID_BITS);
    const b = key - a * ID_BITS;
    const id = 256 + merges.length;
    merges.push([a, b]);
    const touched = new Set<number>();
    for (const w of where.get(key) ?? []) {
      add(w, -1, touched);
      words[w] = mergeWord(words[w]!, a, b, id);
      add(w, 1, touched);
    }
    where.delete(key);
    for (const k of touched) {
      const c = pairCounts.get(k);
      if (c !== undefined) heap.push(c, k);
    }
  }

  const specialTokens: Record<string, number> = {};
  (options.specialTokens ?? []).forEach((s, i) => (specialTokens[s] = 256 + merges.length + i));
  return Tokenizer.fromMerges(merges, { pattern: options.pattern, specialTokens });
}
