/**
 * Task 2: regex pre-tokenization with the GPT-4 (cl100k_base) split pattern.
 *
 * The Python original (tiktoken's cl100k_base) is
 *   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * Node 20 rejects the scoped case-insensitive group `(?i:...)`: see the README for the adaptation.
 */

/**
 * TODO (task 2): the cl100k_base split pattern as a JavaScript regular expression source, to be
 * used with the `gu` flags. The placeholder below only splits on whitespace.
 */
export const splitPattern: string = '\\S+|\\s+';

/**
 * Splits text into pre-tokens (chunks) with a split pattern; the chunks concatenate back to the text.
 *
 * TODO (task 2): run `new RegExp(pattern, 'gu')` over the text and return every match, in order.
 */
export function splitText(text: string, pattern: string = splitPattern): string[] {
  throw new Error('TODO: splitText (task 2)');
}
