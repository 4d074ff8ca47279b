/**
 * Task 2: embeddings. A deterministic local embedder, and one backed by Hugging Face.
 */
import { InferenceClient, InferenceClientProviderApiError, InferenceClientProviderOutputError } from '@huggingface/inference';
import { RagError } from './errors.ts';
import { STOPWORDS, analyze } from './text.ts';

/** Anything that turns texts into fixed-size vectors. */
export interface Embedder {
  /** The vector length, or 0 while it is not known yet (a remote model before its first call). */
  readonly dim: number;
  /** One vector per text, in the same order. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** FNV-1a over UTF-16 code units, started from a seed; then a murmur3 finalizer to mix the bits. */
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Options of the local embedder. */
export interface HashEmbedderOptions {
  /** Vector length (default 384). */
  dim?: number;
  /** Hash seed (default 1234): a different seed gives a different, equally good, space. */
  seed?: number;
}

/**
 * A deterministic "dense" embedder with no model: hashed word and character-trigram features.
 * Words catch exact terms; trigrams catch shared word parts ("calibrate" ~ "recalibration").
 */
export class HashEmbedder implements Embedder {
  readonly dim: number;
  readonly seed: number;

  constructor(options: HashEmbedderOptions = {}) {
    this.dim = options.dim ?? 384;
    this.seed = options.seed ?? 1234;
    if (!Number.isInteger(this.dim) || this.dim <= 0) {
      throw new RagError('INVALID_OPTIONS', `dim must be a positive integer, got ${this.dim}`);
    }
  }

  /** Embed one text synchronously: an L2-normalized Float32Array, or all zeros if it has no words. */
  embedOne(text: string): Float32Array {
    const v = new Float64Array(this.dim);
    const add = (feature: string, weight: number) => {
      const h = hash32(feature, this.seed);
      const sign = h & 1 ? -1 : 1;
      v[(h >>> 1) % this.dim] += sign * weight;
    };
    for (const word of analyze(text)) {
      if (STOPWORDS.has(word)) continue;
      add(`w:${word}`, 1);
      const padded = `<${word}>`;
      for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.7);
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    const out = new Float32Array(this.dim);
    if (norm > 0) for (let i = 0; i < this.dim; i++) out[i] = v[i] / norm;
    return out;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }
}

/** Options of the Hugging Face embedder. */
export interface HfEmbedderOptions {
  /** A model id on the Hub, e.g. "sentence-transformers/all-MiniLM-L6-v2". */
  model?: string;
  /** A full URL that speaks the feature-extraction protocol (a dedicated endpoint or a local server). */
  endpointUrl?: string;
  /** An HF token ("hf_..."). */
  accessToken?: string;
  /** Texts per request (default 32). */
  batchSize?: number;
  /** Retries after a 429 or 503, per batch (default 3): at most maxRetries + 1 requests. */
  maxRetries?: number;
  /** The first backoff in ms; it doubles on every retry (default 500). */
  backoffMs?: number;
}

/** Resolve after ms milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Embeddings from the Hugging Face Inference API (or any endpoint that speaks its protocol). */
export class HfEmbedder implements Embedder {
  private readonly client: InferenceClient;
  private readonly model?: string;
  private readonly endpointUrl?: string;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly backoffMs: number;
  private knownDim = 0;

  constructor(options: HfEmbedderOptions) {
    if (!options.model && !options.endpointUrl) {
      throw new RagError('INVALID_OPTIONS', 'HfEmbedder needs a model or an endpointUrl');
    }
    this.model = options.model;
    this.endpointUrl = options.endpointUrl;
    this.batchSize = options.batchSize ?? 32;
    this.maxRetries = options.maxRetries ?? 3;
    this.backoffMs = options.backoffMs ?? 500;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) {
      throw new RagError('INVALID_OPTIONS', `batchSize must be a positive integer, got ${this.batchSize}`);
    }
    this.client = new InferenceClient(options.accessToken ?? '');
  }

  get dim(): number {
    return this.knownDim;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      out.push(...(await this.embedBatch(texts.slice(i, i + this.batchSize))));
    }
    return out;
  }

  private where(): string {
    return this.endpointUrl ?? `model ${this.model}`;
  }

  private async embedBatch(batch: string[]): Promise<Float32Array[]> {
    for (let attempt = 0; ; attempt++) {
      let raw: unknown;
      try {
        raw = await this.client.featureExtraction(
          this.endpointUrl ? { endpointUrl: this.endpointUrl, model: this.model, inputs: batch } : { model: this.model, provider: 'hf-inference', inputs: batch },
          // the client retries a 503 forever, with no delay, unless told not to: we retry ourselves
          { retry_on_error: false },
        );
      } catch (err) {
        if (err instanceof InferenceClientProviderOutputError) {
          throw new RagError('EMBEDDING_MALFORMED', `the embedding endpoint (${this.where()}) sent a response that is not a list of vectors: ${err.message}`, { cause: err });
        }
        const status = err instanceof InferenceClientProviderApiError ? err.httpResponse.status : undefined;
        if (status === 401 || status === 403) {
          throw new RagError('EMBEDDING_AUTH', `the embedding endpoint (${this.where()}) refused the token (HTTP ${status}): set HF_TOKEN to a valid token with inference permission`, { cause: err });
        }
        if (status === 404) {
          throw new RagError('EMBEDDING_NOT_FOUND', `the embedding model or endpoint was not found (HTTP 404): check ${this.where()}`, { cause: err });
        }
        if (status === 429 || status === 503) {
          if (attempt < this.maxRetries) {
            await sleep(this.backoffMs * 2 ** attempt);
            continue;
          }
          const code = status === 429 ? 'EMBEDDING_RATE_LIMITED' : 'EMBEDDING_UNAVAILABLE';
          throw new RagError(code, `the embedding endpoint (${this.where()}) still answered HTTP ${status} after ${attempt + 1} attempts`, { cause: err });
        }
        throw new RagError('EMBEDDING_FAILED', `the embedding request to ${this.where()} failed: ${(err as Error).message}`, { cause: err });
      }
      return this.toVectors(raw, batch.length);
    }
  }

  private toVectors(raw: unknown, expected: number): Float32Array[] {
    if (!Array.isArray(raw) || raw.length !== expected) {
      throw new RagError('EMBEDDING_MALFORMED', `expected ${expected} vectors from ${this.where()}, got ${Array.isArray(raw) ? raw.length : typeof raw}`);
    }
    return raw.map((row: unknown, i) => {
      if (!Array.isArray(row) || row.length === 0 || !row.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new RagError('EMBEDDING_MALFORMED', `vector ${i} from ${this.where()} is not a flat list of finite numbers (a token-level model needs pooling)`);
      }
      if (this.knownDim === 0) this.knownDim = row.length;
      if (row.length !== this.knownDim) {
        throw new RagError('DIMENSION_MISMATCH', `vector ${i} from ${this.where()} has ${row.length} dimensions, earlier ones had ${this.knownDim}`);
      }
      return Float32Array.from(row as number[]);
    });
  }
}
