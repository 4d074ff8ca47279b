/**
 * Task 5b: generation behind one interface, and citations that must resolve.
 *
 * Edit this file. `npm run check lab-01` grades it.
 */
import { InferenceClient } from '@huggingface/inference';
import { RagError } from './errors.ts';
import type { Prompt, Source } from './prompt.ts';
import { STOPWORDS, analyze } from './text.ts';

/** An answer and the source numbers it cites ([1] is prompt.sources[0]). */
export interface Answer {
  text: string;
  citations: number[];
}

/** Anything that answers an assembled prompt. */
export interface Generator {
  readonly name: string;
  generate(prompt: Prompt): Promise<Answer>;
}

/** The distinct [n] markers of a text, in order of first appearance: "x [2] y [1] z [2]" -> [2, 1]. */
export function parseCitations(text: string): number[] {
  throw new Error('TODO: implement parseCitations(text)');
}

/**
 * The sources an answer cites, in the order of answer.citations.
 *
 * TODO: a citation n must be an integer in [1, prompt.sources.length]; otherwise throw
 * RagError('UNRESOLVED_CITATION') naming n and the valid range.
 */
export function resolveCitations(answer: Answer, prompt: Prompt): Source[] {
  throw new Error('TODO: implement resolveCitations(answer, prompt)');
}

/**
 * An offline generator: answers with the source sentence that shares the most question words,
 * cited. Deterministic, so tests and demos without a network behave the same every time.
 */
export class ExtractiveGenerator implements Generator {
  readonly name = 'extractive (offline)';

  /**
   * TODO:
   * - the wanted words: analyze(prompt.question) without STOPWORDS;
   * - split every source into sentences (after . ! or ? and whitespace) and score each by how
   *   many distinct wanted words it contains; keep the first best one (earlier sources win ties);
   * - answer `${sentence} [${n}]` with citations [n] (n = source index + 1), or, when no sentence
   *   shares a word, 'The sources do not contain the answer.' with no citations.
   */
  async generate(prompt: Prompt): Promise<Answer> {
    throw new Error('TODO: implement ExtractiveGenerator.generate(prompt)');
  }
}

/** Options of the hosted chat generator. */
export interface HfGeneratorOptions {
  model: string;
  accessToken: string;
  endpointUrl?: string;
  maxTokens?: number;
}

/** A generator backed by a chat model through @huggingface/inference chatCompletion. */
export class HfGenerator implements Generator {
  readonly name: string;
  private readonly client: InferenceClient;

  constructor(private readonly options: HfGeneratorOptions) {
    this.name = `chat model ${options.model}`;
    this.client = new InferenceClient(options.accessToken);
  }

  async generate(prompt: Prompt): Promise<Answer> {
    const out = await this.client.chatCompletion({
      model: this.options.model,
      ...(this.options.endpointUrl ? { endpointUrl: this.options.endpointUrl } : {}),
      messages: [{ role: 'user', content: prompt.text }],
      max_tokens: this.options.maxTokens ?? 300,
      temperature: 0,
    });
    const text = out.choices[0]?.message?.content ?? '';
    // a model may invent [7] when there are 3 sources: keep only the citations that resolve
    const citations = parseCitations(text).filter((n) => n >= 1 && n <= prompt.sources.length);
    return { text, citations };
  }
}
