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

const SAVE_FORMAT = 'ailab-bpe';
const SAVE_VERSION = 1;
/** Pieces with more bytes than this use the heap-based merge (O(n log n)) instead of the scan. */
const LONG_PIECE = 64;
const CACHE_LIMIT = 100_000;
const TWO32 = 2 ** 32;

const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is text, not a byte-order mark to strip.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** UTF-8 bytes of a string as a "binary" string (one char per byte), the key type of the rank map. */
function toByteString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return Buffer.from(utf8.encode(s)).toString('latin1');
  }
  return s; // ASCII: the string already is its own byte string
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|\/-]/g, '\\$&');
}

/** A byte-level BPE tokenizer that encodes exactly like tiktoken for the same ranks. */
export class Tokenizer {
  /** The split pattern in use. */
  readonly pattern: string;
  /** Special token string -> id. */
  readonly specialTokens: Readonly<Record<string, number>>;
  /** The learned merges (only for tokenizers built from merges; needed by save()). */
  readonly merges: readonly Merge[] | undefined;

  private readonly vocab: (Uint8Array | undefined)[];
  private readonly ranks = new Map<string, number>();
  private readonly specialById = new Map<number, Uint8Array>();
  private readonly splitRe: RegExp;
  private readonly cache = new Map<string, number[]>();

  /**
   * Builds a tokenizer from its vocabulary: `vocab[id]` is the byte sequence of token `id`.
   * The id of a byte sequence is its rank: lower ids merge first.
   */
  constructor(vocab: readonly (Uint8Array | undefined)[], options: TokenizerOptions = {}, merges?: readonly Merge[]) {
    this.vocab = vocab.slice();
    this.pattern = options.pattern ?? splitPattern;
    this.splitRe = new RegExp(this.pattern, 'gu');
    this.merges = merges?.map(([a, b]) => [a, b] as const);
    vocab.forEach((bytes, id) => {
      if (bytes) this.ranks.set(Buffer.from(bytes).toString('latin1'), id);
    });
    const specials: Record<string, number> = {};
    for (const [text, id] of Object.entries(options.specialTokens ?? {})) {
      if (!Number.isInteger(id) || id < 0) throw new RangeError(`special token ${JSON.stringify(text)} has invalid id ${id}`);
      if (vocab[id] !== undefined || this.specialById.has(id)) {
        throw new RangeError(`special token ${JSON.stringify(text)} reuses id ${id}, which is already taken`);
      }
      specials[text] = id;
      this.specialById.set(id, utf8.encode(text));
    }
    this.specialTokens = Object.freeze(specials);
  }

  /** Builds the tokenizer defined by byte-level merges: ids 0..255 are the bytes, merge k creates id 256 + k. */
  static fromMerges(merges: readonly Merge[], options: TokenizerOptions = {}): Tokenizer {
    const vocab: Uint8Array[] = [];
    for (let b = 0; b < 256; b++) vocab.push(Uint8Array.of(b));
    merges.forEach(([a, b], k) => {
      const left = vocab[a];
      const right = vocab[b];
      if (left === undefined || right === undefined) {
        throw new RangeError(`merge ${k} refers to token ${left === undefined ? a : b}, which does not exist yet`);
      }
      const bytes = new Uint8Array(left.length + right.length);
      bytes.set(left, 0);
      bytes.set(right, left.length);
      vocab.push(bytes);
    });
    return new Tokenizer(vocab, options, merges);
  }

  /** Number of ids in use: ordinary tokens plus special tokens. */
  get vocabSize(): number {
    return this.ranks.size + this.specialById.size;
  }

  /** Encodes text, with tiktoken's special-token semantics (disallowed specials throw). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    text = text.normalize('NFC');
    const allSpecials = Object.keys(this.specialTokens);
    const allowed = new Set(options.allowedSpecial === 'all' ? allSpecials : (options.allowedSpecial ?? []));
    const disallowedOpt = options.disallowedSpecial ?? 'all';
    const disallowed = disallowedOpt === 'all' ? allSpecials.filter((s) => !allowed.has(s)) : disallowedOpt;
    for (const special of disallowed) {
      const at = text.indexOf(special);
      if (at !== -1) {
        throw new Error(
          `encode: the text contains the disallowed special token ${JSON.stringify(special)} at index ${at}. ` +
            `Pass it in allowedSpecial to encode it as a special token, or leave it out of disallowedSpecial to encode it as plain text.`,
        );
      }
    }
    if (allowed.size === 0) return this.encodeOrdinary(text);
    const specialRe = new RegExp([...allowed].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
    const ids: number[] = [];
    let start = 0;
    for (const m of text.matchAll(specialRe)) {
      this.encodeOrdinaryInto(text.slice(start, m.index), ids);
      ids.push(this.specialTokens[m[0]]!);
      start = m.index + m[0].length;
    }
    this.encodeOrdinaryInto(text.slice(start), ids);
    return ids;
  }

  /** Encodes text with no special-token handling at all. */
  encodeOrdinary(text: string): number[] {
    const ids: number[] = [];
    this.encodeOrdinaryInto(text, ids);
    return ids;
  }

  private encodeOrdinaryInto(text: string, ids: number[]): void {
    if (text.length === 0) return;
    this.splitRe.lastIndex = 0;
    for (const m of text.matchAll(this.splitRe)) {
      const chunk = m[0];
      const cached = this.cache.get(chunk);
      if (cached !== undefined) {
        for (const id of cached) ids.push(id);
        continue;
      }
      const piece = toByteString(chunk);
      const whole = this.ranks.get(piece);
      const out = whole !== undefined ? [whole] : this.bytePairEncode(piece);
      if (chunk.length < 256) {
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(chunk, out);
      }
      for (const id of out) ids.push(id);
    }
  }

  /** Rank of the byte string piece[a, b), or Infinity when it is not a token. */
  private rankOf(piece: string, a: number, b: number): number {
    return this.ranks.get(piece.slice(a, b)) ?? Infinity;
  }

  /**
   * tiktoken's rule: start from single bytes, repeatedly merge the adjacent pair whose concatenation
   * has the lowest rank (leftmost on ties), stop when no adjacent concatenation is a token.
   */
  private bytePairEncode(piece: string): number[] {
    const starts = piece.length > LONG_PIECE ? this.mergeWithHeap(piece) : this.mergeByScan(piece);
    const ids: number[] = [];
    for (let k = 0; k + 1 < starts.length; k++) {
      const id = this.ranks.get(piece.slice(starts[k], starts[k + 1]));
      if (id === undefined) throw new Error(`encode: byte ${piece.charCodeAt(starts[k]!)} is not in the vocabulary`);
      ids.push(id);
    }
    return ids;
  }

  /** O(n²) merge for short pieces: the boundaries array plus a cached rank per adjacent pair. */
  private mergeByScan(piece: string): number[] {
    const starts: number[] = [];
    for (let i = 0; i <= piece.length; i++) starts.push(i);
    const pairRanks: number[] = [];
    for (let i = 0; i + 2 <= piece.length; i++) pairRanks.push(this.rankOf(piece, i, i + 2));
    while (pairRanks.length > 0) {
      let best = 0;
      for (let i = 1; i < pairRanks.length; i++) if (pairRanks[i]! < pairRanks[best]!) best = i;
      if (pairRanks[best] === Infinity) break;
      starts.splice(best + 1, 1);
      pairRanks.splice(best, 1);
      // the merged part now starts at starts[best] and ends at starts[best + 1]
      if (best < pairRanks.length) pairRanks[best] = this.rankOf(piece, starts[best]!, starts[best + 2]!);
      if (best > 0) pairRanks[best - 1] = this.rankOf(piece, starts[best - 1]!, starts[best + 1]!);
    }
    return starts;
  }

  /**
   * O(n log n) merge for long pieces (a run of 1,000,000 equal characters is one piece).
   * Parts form a linked list keyed by their start offset; a min-heap holds (rank, start) of every
   * adjacent pair. Entries go stale when a neighbour merges: they are skipped when popped.
   */
  private mergeWithHeap(piece: string): number[] {
    const n = piece.length;
    const next = new Int32Array(n); // start of the following part (n at the end)
    const prev = new Int32Array(n); // start of the preceding part (-1 at the start)
    const alive = new Uint8Array(n).fill(1);
    const pairRank = new Float64Array(n); // current rank of the pair starting at this part
    const heap: number[] = [];
    const push = (key: number): void => {
      let i = heap.length;
      heap.push(key);
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heap[p]! <= key) break;
        heap[i] = heap[p]!;
        i = p;
      }
      heap[i] = key;
    };
    const pop = (): number => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= heap.length) break;
          const r = l + 1;
          const c = r < heap.length && heap[r]! < heap[l]! ? r : l;
          if (heap[c]! >= last) break;
          heap[i] = heap[c]!;
          i = c;
        }
        heap[i] = last;
      }
      return top;
    };
    const setPair = (i: number): void => {
      const j = next[i]!;
      const rank = j < n ? this.rankOf(piece, i, next[j]!) : Infinity;
      pairRank[i] = rank;
      if (rank !== Infinity) push(rank * TWO32 + i);
    };
    for (let i = 0; i < n; i++) {
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    for (let i = 0; i < n; i++) setPair(i);
    while (heap.length > 0) {
      const key = pop();
      const rank = Math.floor(key / TWO32);
      const i = key - rank * TWO32;
      if (!alive[i] || pairRank[i] !== rank) continue; // stale entry
      const j = next[i]!;
      alive[j] = 0;
      next[i] = next[j]!;
      if (next[j]! < n) prev[next[j]!] = i;
      setPair(i);
      if (prev[i]! >= 0) setPair(prev[i]!);
    }
    const starts: number[] = [];
    for (let i = 0; i < n; i = next[i]!) starts.push(i);
    starts.push(n);
    return starts;
  }

  /** Decodes ids to text; invalid UTF-8 becomes U+FFFD, as in tiktoken. Unknown ids throw. */
  decode(ids: readonly number[]): string {
    return utf8Decoder.decode(this.decodeBytes(ids));
  }

  /** Decodes ids to the exact bytes they stand for. */
  decodeBytes(ids: readonly number[]): Uint8Array {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const bytes = this.vocab[id] ?? this.specialById.get(id);
      if (bytes === undefined) {
        throw new RangeError(`decode: unknown token id ${id} at position ${k}`);
      }
      parts.push(bytes);
      length += bytes.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Serializes the merges, special tokens and split pattern to a JSON string. */
  save(): string {
    if (this.merges === undefined) {
      throw new Error('save: only tokenizers built from merges (trainBPE, fromMerges) can be saved');
    }
    return JSON.stringify({
      format: SAVE_FORMAT,
      version: SAVE_VERSION,
      pattern: this.pattern,
      vocabSize: 256 + this.merges.length,
      merges: this.merges,
      specialTokens: this.specialTokens,
    });
  }

  /** Restores a tokenizer written by save(); a corrupt or truncated file throws a clear error. */
  static load(saved: string): Tokenizer {
    const fail = (why: string): never => {
      throw new Error(`Tokenizer.load: corrupt or truncated tokenizer file: ${why}`);
    };
    let data: unknown;
    try {
      data = JSON.parse(saved);
    } catch (e) {
      return fail(`not valid JSON (${(e as Error).message})`);
    }
    if (typeof data !== 'object' || data === null) return fail('expected a JSON object');
    const d = data as Record<string, unknown>;
    if (d.format !== SAVE_FORMAT || d.version !== SAVE_VERSION) return fail(`expected format "${SAVE_FORMAT}" version ${SAVE_VERSION}`);
    if (typeof d.pattern !== 'string') return fail('"pattern" must be a string');
    try {
      new RegExp(d.pattern, 'gu');
    } catch (e) {
      return fail(`"pattern" is not a valid regular expression (${(e as Error).message})`);
    }
    if (!Array.isArray(d.merges)) return fail('"merges" must be an array');
    const merges: Merge[] = [];
    d.merges.forEach((m: unknown, k: number) => {
      const ok = Array.isArray(m) && m.length === 2 && m.every((x) => Number.isInteger(x) && x >= 0 && x < 256 + k);
      if (!ok) fail(`merge ${k} must be a pair of earlier token ids, got ${JSON.stringify(m)}`);
      merges.push([(m as number[])[0]!, (m as number[])[1]!]);
    });
    if (d.vocabSize !== 256 + merges.length) return fail(`"vocabSize" ${String(d.vocabSize)} does not match ${merges.length} merges`);
    const specials = d.specialTokens;
    if (typeof specials !== 'object' || specials === null || Array.isArray(specials)) return fail('"specialTokens" must be an object');
    const ids = new Set<number>();
    for (const [text, id] of Object.entries(specials)) {
      if (!Number.isInteger(id) || (id as number) < 256 + merges.length || ids.has(id as number)) {
        fail(`special token ${JSON.stringify(text)} has an invalid or duplicate id ${JSON.stringify(id)}`);
      }
      ids.add(id as number);
    }
    return Tokenizer.fromMerges(merges, { pattern: d.pattern, specialTokens: specials as Record<string, number> });
  }
}
