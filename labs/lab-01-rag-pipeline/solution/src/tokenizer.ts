/**
 * Token counting with OpenAI's cl100k_base encoding, offline. This file is given.
 *
 * js-tiktoken ships the cl100k ranks in the package, so nothing is downloaded. Building the
 * encoder parses about 100k ranks, so it happens once, lazily.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k_base from 'js-tiktoken/ranks/cl100k_base';

let encoder: Tiktoken | undefined;
let byteLengths: Map<number, number> | undefined;

/** The shared cl100k encoder. */
export function getEncoder(): Tiktoken {
  encoder ??= new Tiktoken(cl100k_base);
  return encoder;
}

/** The number of cl100k tokens in `text`. */
export function countTokens(text: string): number {
  return getEncoder().encode(text).length;
}

/** The byte length of every cl100k token, read from the public rank table (base64 per token). */
function tokenByteLengths(): Map<number, number> {
  if (byteLengths) return byteLengths;
  const lengths = new Map<number, number>();
  for (const line of cl100k_base.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offsetStr, ...tokens] = line.split(' ');
    const offset = Number.parseInt(offsetStr, 10);
    tokens.forEach((b64, i) => {
      const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
      lengths.set(offset + i, (b64.length / 4) * 3 - pad);
    });
  }
  byteLengths = lengths;
  return lengths;
}

/** The token ids of `text`, and where each token starts in the string. */
export interface TokenizedText {
  /** cl100k token ids. */
  ids: number[];
  /**
   * `offsets[i]` is the UTF-16 index in the text where token i starts, or -1 when token i
   * starts in the middle of a character (cl100k splits some emoji and rare characters into
   * byte pieces). It has `ids.length + 1` entries: the last one is `text.length`.
   */
  offsets: number[];
}

/** Encode `text` and map every token boundary back to a string index. */
export function tokenize(text: string): TokenizedText {
  const ids = getEncoder().encode(text);
  const lengths = tokenByteLengths();
  // byte offset of each code point start -> UTF-16 index
  const charAtByte = new Map<number, number>();
  let byte = 0;
  for (let i = 0; i < text.length; ) {
    charAtByte.set(byte, i);
    const cp = text.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    // a lone surrogate is encoded as U+FFFD (3 bytes) by TextEncoder
    byte += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += units;
  }
  const offsets: number[] = [];
  let at = 0;
  for (const id of ids) {
    offsets.push(charAtByte.get(at) ?? -1);
    at += lengths.get(id) ?? 0;
  }
  offsets.push(text.length);
  return { ids, offsets };
}
