/**
 * Task 2: regex pre-tokenization with the GPT-4 (cl100k_base) split pattern.
 *
 * The Python original is
 *   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * JavaScript has no scoped case-insensitive group `(?i:...)` (Node 20 rejects it), so the
 * contractions are spelled out in every upper/lower-case combination. Newer tiktoken releases also
 * write possessive quantifiers (`?+`, `++`), which JavaScript rejects too; here they can be dropped
 * because no alternative ever needs to backtrack into them.
 */

/** The cl100k_base split pattern as a JavaScript regular expression source (use the `gu` flags). */
export const splitPattern: string =
  "('s|'t|'re|'ve|'m|'ll|'d)" +
  '|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+' +
  '|\\p{N}{1,3}' +
  '| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*' +
  '|\\s*[\\r\\n]+' +
  '|\\s+(?!\\S)' +
  '|\\s+';

/** Splits text into pre-tokens (chunks) with a split pattern; the chunks concatenate back to the text. */
export function splitText(text: string, pattern: string = splitPattern): string[] {
  const re = new RegExp(pattern, 'gu');
  const out: string[] = [];
  for (const m of text.matchAll(re)) out.push(m[0]);
  return out;
}
