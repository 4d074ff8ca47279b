/**
 * Task 2: embeddings. A deterministic local embedder, and one backed by Hugging Face.
 *
 * Edit this file. `npm run check lab-01` grades it.
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

  /**
   * Embed one text synchronously: an L2-normalized Float32Array, or all zeros if it has no words.
   *
   * TODO:
   * - for every word of analyze(text) that is not in STOPWORDS, add two kinds of features:
   *   the word itself ("w:" + word, weight 1) and every character trigram of "<" + word + ">"
   *   ("t:" + trigram, weight 0.7), so "drowning" and "drowns" still share "<dr", "dro", "row", "own";
   * - a feature lands in bucket (hash >>> 1) % dim with sign +1 or -1 from the hash's lowest bit,
   *   hash = hash32(feature, this.seed) (signed hashing keeps collisions from piling up);
   * - accumulate in a Float64Array, then divide by the L2 norm (leave an all-zero vector as is).
   */
  embedOne(text: string): Float32Array {
    throw new Error('TODO: implement HashEmbedder.embedOne(text)');
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
  private knownDim = 0; // set by the first vector the endpoint returns

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

  /**
   * Embed texts in batches of batchSize, in order.
   *
   * TODO, per batch:
   * - call this.client.featureExtraction({ endpointUrl, model, inputs: batch }, { retry_on_error: false })
   *   (with no endpointUrl, pass { model, provider: 'hf-inference', inputs }). Without
   *   retry_on_error: false the client retries every 503 itself, forever, with no delay;
   * - errors: InferenceClientProviderApiError has httpResponse.status. 401/403 ->
   *   RagError('EMBEDDING_AUTH') with a message naming the status and HF_TOKEN; 404 ->
   *   'EMBEDDING_NOT_FOUND'; 429 and 503 -> sleep backoffMs * 2 ** attempt and retry, at most
   *   maxRetries times, then 'EMBEDDING_RATE_LIMITED' (429) or 'EMBEDDING_UNAVAILABLE' (503);
   *   InferenceClientProviderOutputError (not a list of numbers) -> 'EMBEDDING_MALFORMED';
   *   anything else -> 'EMBEDDING_FAILED';
   * - check the response: one flat, non-empty list of finite numbers per input text, else
   *   'EMBEDDING_MALFORMED'; every vector as long as the first one ever seen (which sets dim),
   *   else 'DIMENSION_MISMATCH'. Return Float32Arrays.
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    throw new Error('TODO: implement HfEmbedder.embed(texts)');
  }
}
