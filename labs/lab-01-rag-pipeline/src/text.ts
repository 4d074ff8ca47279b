/**
 * Word analysis shared by BM25 and the extractive generator. This file is given.
 */

/** Lower-cased runs of letters and digits, in order: "Wi-Fi 6E!" -> ["wi", "fi", "6e"]. */
export function analyze(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Very common English words that carry no topic (used by the embedder and the generator). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ('a an and are as at be been but by can could did do does for from had has have how i if in into is it its ' +
    'may more most no not of on or our should so such than that the their them then there these they this ' +
    'those to was we were what when where which who why will with would you your').split(' '),
);
