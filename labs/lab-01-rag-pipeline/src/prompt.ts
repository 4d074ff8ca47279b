/**
 * Task 5a: prompt assembly under a token budget.
 *
 * Edit this file. `npm run check lab-01` grades it.
 */
import { RagError } from './errors.ts';
import { countTokens } from './tokenizer.ts';

/** A retrieved chunk offered to the prompt, best first. */
export interface Source {
  id: string;
  docId: string;
  text: string;
}

/** An assembled prompt: `sources[i]` is the chunk numbered [i + 1] in `text`. */
export interface Prompt {
  text: string;
  /** countTokens(text): never more than the budget. */
  tokens: number;
  question: string;
  sources: Source[];
  /** The chunks that did not fit, in rank order. */
  dropped: Source[];
}

/** The prompt text for a question and a list of sources, numbered from [1]. Given: you only call it. */
export function renderPrompt(question: string, sources: readonly Source[]): string {
  const numbered = sources.map((s, i) => `[${i + 1}] ${s.text}`).join('\n\n');
  return (
    'Answer the question using only the numbered sources below. ' +
    'Cite every claim with its source number in brackets, like [1]. ' +
    'If the sources do not contain the answer, say so.\n\n' +
    `Sources:\n${numbered}\n\nQuestion: ${question}\nAnswer:`
  );
}

/**
 * Fit the best-ranked chunks into `budget` tokens.
 *
 * TODO:
 * - a budget that is not a positive integer -> RagError('INVALID_OPTIONS');
 * - if renderPrompt(question, []) alone is over the budget -> RagError('BUDGET_TOO_SMALL'),
 *   saying both numbers;
 * - keep the longest prefix of `ranked` whose rendered prompt fits: the lowest-ranked chunks go
 *   first and a chunk is never cut. Measure the rendered text with countTokens: token counts
 *   of pieces do not add up exactly, and characters are not tokens;
 * - return the text, its token count, the question, the kept sources and the dropped ones.
 */
export function buildPrompt(question: string, ranked: readonly Source[], budget: number): Prompt {
  throw new Error('TODO: implement buildPrompt(question, ranked, budget)');
}
