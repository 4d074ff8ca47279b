/**
 * Task 5a: prompt assembly under a token budget.
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

/** The prompt text for a question and a list of sources, numbered from [1]. */
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
 * Fit the best-ranked chunks into `budget` tokens: keep the longest prefix of `ranked` whose
 * rendered prompt fits, so the lowest-ranked chunks are dropped first and no chunk is cut.
 */
export function buildPrompt(question: string, ranked: readonly Source[], budget: number): Prompt {
  if (!Number.isInteger(budget) || budget <= 0) {
    throw new RagError('INVALID_OPTIONS', `the token budget must be a positive integer, got ${budget}`);
  }
  const bare = countTokens(renderPrompt(question, []));
  if (bare > budget) {
    throw new RagError('BUDGET_TOO_SMALL', `the question and instructions alone take ${bare} tokens, more than the budget of ${budget}`);
  }
  let kept = 0;
  let tokens = bare;
  while (kept < ranked.length) {
    const next = countTokens(renderPrompt(question, ranked.slice(0, kept + 1)));
    if (next > budget) break;
    kept++;
    tokens = next;
  }
  return {
    text: renderPrompt(question, ranked.slice(0, kept)),
    tokens,
    question,
    sources: ranked.slice(0, kept),
    dropped: ranked.slice(kept),
  };
}
