/**
 * Task 5b: generation behind one interface, and citations that must resolve.
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

/** The distinct [n] markers of a text, in order of first appearance. */
export function parseCitations(text: string): number[] {
  const seen: number[] = [];
  for (const m of text.matchAll(/\[(\d+)\]/g)) {
    const n = Number(m[1]);
    if (!seen.includes(n)) seen.push(n);
  }
  return seen;
}

/** The sources an answer cites; UNRESOLVED_CITATION if one points outside [1..sources.length]. */
export function resolveCitations(answer: Answer, prompt: Prompt): Source[] {
  return answer.citations.map((n) => {
    if (!Number.isInteger(n) || n < 1 || n > prompt.sources.length) {
      throw new RagError('UNRESOLVED_CITATION', `the answer cites [${n}], but the prompt has sources [1]..[${prompt.sources.length}]`);
    }
    return prompt.sources[n - 1];
  });
}

/**
 * An offline generator: answers with the source sentence that shares the most question words,
 * cited. Deterministic, so tests and demos without a network behave the same every time.
 */
export class ExtractiveGenerator implements Generator {
  readonly name = 'extractive (offline)';

  async generate(prompt: Prompt): Promise<Answer> {
    const wanted = new Set(analyze(prompt.question).filter((w) => !STOPWORDS.has(w)));
    let best: { sentence: string; source: number; score: number } | undefined;
    prompt.sources.forEach((source, s) => {
      for (const sentence of source.text.split(/(?<=[.!?])\s+/)) {
        const words = new Set(analyze(sentence));
        let score = 0;
        for (const w of wanted) if (words.has(w)) score++;
        if (score > 0 && (!best || score > best.score)) best = { sentence: sentence.trim(), source: s + 1, score };
      }
    });
    if (!best) return { text: 'The sources do not contain the answer.', citations: [] };
    return { text: `${best.sentence} [${best.source}]`, citations: [best.source] };
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
