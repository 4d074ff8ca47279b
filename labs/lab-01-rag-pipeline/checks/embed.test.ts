import { describe, expect, test } from 'vitest';
import { field, learner } from '#ailab/learner';
import type * as Embed from '../src/embed.ts';
import type * as Errors from '../src/errors.ts';
import { fakeVectors, startEmbeddingServer } from './reference.ts';

// HfEmbedder runs in the learner process and reaches the fake server here over loopback HTTP.
const { HfEmbedder } = await learner<typeof Embed>('src/embed.ts');
const { RagError } = await learner<typeof Errors>('src/errors.ts');
type RagError = InstanceType<typeof RagError>;

/** Run fn and return the RagError it throws (failing the check on anything else). */
async function ragError(fn: () => Promise<unknown>): Promise<RagError> {
  try {
    await fn();
  } catch (err) {
    expect(err, `expected a RagError with a code, got ${String(err)}`).toBeInstanceOf(RagError);
    return err as RagError;
  }
  throw new Error('expected a RagError, but the call succeeded');
}

const texts = ['alpha', 'bravo charlie', 'delta', 'echo foxtrot golf', 'hotel'];

describe('HfEmbedder (hidden)', () => {
  test('sends batches of batchSize texts to endpointUrl and keeps the order', async () => {
    const server = await startEmbeddingServer((req) => ({ status: 200, json: fakeVectors(req.body.inputs, 4) }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_test_token', batchSize: 2, backoffMs: 1 });
      const vectors = await embedder.embed(texts);
      expect(server.requests.map((r) => r.body?.inputs), 'requests should carry {"inputs": [...]} batches of at most batchSize texts, in order').toEqual([texts.slice(0, 2), texts.slice(2, 4), texts.slice(4)]);
      for (const r of server.requests) {
        expect(r.method).toBe('POST');
        expect(r.url, 'the client posts to the endpointUrl itself').toBe('/embed');
        expect(r.headers.authorization, 'the token goes in an Authorization: Bearer header').toBe('Bearer hf_test_token');
      }
      expect(vectors).toHaveLength(texts.length);
      vectors.forEach((v, i) => {
        expect(v, 'each embedding is a Float32Array').toBeInstanceOf(Float32Array);
        expect(Array.from(v), `vector ${i} belongs to "${texts[i]}"`).toEqual(fakeVectors([texts[i]], 4)[0]);
      });
      expect(await field(embedder, 'dim'), 'dim is known after the first response').toBe(4);
    } finally {
      await server.close();
    }
  });

  test('retries a 429 with backoff, then succeeds; gives up after maxRetries with a clear error', async () => {
    const server = await startEmbeddingServer((req, n) => (n < 2 ? { status: 429, json: { error: 'Rate limit reached, slow down' } } : { status: 200, json: fakeVectors(req.body.inputs, 3) }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_x', batchSize: 8, maxRetries: 3, backoffMs: 20 });
      const t0 = performance.now();
      const vectors = await embedder.embed(['one', 'two']);
      const waited = performance.now() - t0;
      expect(vectors.map((v) => Array.from(v))).toEqual(fakeVectors(['one', 'two'], 3));
      expect(server.requests.length, 'two 429s, then one success').toBe(3);
      expect(waited, 'back off before each retry: 20 ms, then 40 ms').toBeGreaterThanOrEqual(50);
    } finally {
      await server.close();
    }
    const always = await startEmbeddingServer(() => ({ status: 429, json: { error: 'Rate limit reached' } }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: always.url, accessToken: 'hf_x', maxRetries: 2, backoffMs: 1 });
      const err = await ragError(() => embedder.embed(['one']));
      expect(err.code).toBe('EMBEDDING_RATE_LIMITED');
      expect(err.message, 'say that it was HTTP 429').toMatch(/429/);
      expect(always.requests.length, 'maxRetries 2 means at most 3 requests').toBe(3);
    } finally {
      await always.close();
    }
  });

  test('gives up on a 503 after a bounded number of attempts', async () => {
    // @huggingface/inference retries a 503 by itself, forever and without delay, unless told not to
    const server = await startEmbeddingServer(() => ({ status: 503, json: { error: 'Model is loading' } }), 40);
    try {
      const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_x', maxRetries: 2, backoffMs: 1 });
      const err = await ragError(() => embedder.embed(['one'])).catch((e) => e);
      expect(server.requests.length, 'with maxRetries 2 the server must see at most 3 requests: pass { retry_on_error: false } to the client and retry yourself').toBeLessThanOrEqual(3);
      expect(err).toBeInstanceOf(RagError);
      expect((err as RagError).code).toBe('EMBEDDING_UNAVAILABLE');
    } finally {
      await server.close();
    }
  });

  test('401 becomes a clear EMBEDDING_AUTH error, without retrying', async () => {
    const server = await startEmbeddingServer(() => ({ status: 401, json: { error: 'Invalid credentials in Authorization header' } }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_wrong', maxRetries: 3, backoffMs: 1 });
      const err = await ragError(() => embedder.embed(['one']));
      expect(err.code).toBe('EMBEDDING_AUTH');
      expect(err.message, 'the message should say 401 and point at the token (HF_TOKEN)').toMatch(/401/);
      expect(err.message).toMatch(/token/i);
      expect(server.requests.length, 'a wrong token will not get better: do not retry a 401').toBe(1);
    } finally {
      await server.close();
    }
    const missing = await startEmbeddingServer(() => ({ status: 404, json: { error: 'Model not found' } }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: missing.url, accessToken: 'hf_x', backoffMs: 1 });
      const err = await ragError(() => embedder.embed(['one']));
      expect(err.code).toBe('EMBEDDING_NOT_FOUND');
      expect(missing.requests.length, 'do not retry a 404').toBe(1);
    } finally {
      await missing.close();
    }
  });

  test('a malformed response becomes a clear error', async () => {
    const cases: [string, (req: any) => { status: number; json?: unknown; text?: string; contentType?: string }, string][] = [
      ['an object instead of a list', () => ({ status: 200, json: { embeddings: [[1, 2]] } }), 'EMBEDDING_MALFORMED'],
      ['strings instead of numbers', (req) => ({ status: 200, json: req.body.inputs.map(() => ['a', 'b']) }), 'EMBEDDING_MALFORMED'],
      ['fewer vectors than texts', () => ({ status: 200, json: [[1, 2, 3]] }), 'EMBEDDING_MALFORMED'],
      ['vectors of different lengths', () => ({ status: 200, json: [[1, 2, 3], [1, 2]] }), 'DIMENSION_MISMATCH'],
      ['plain text', () => ({ status: 200, text: 'hello', contentType: 'text/plain' }), 'EMBEDDING_MALFORMED'],
    ];
    for (const [what, reply, code] of cases) {
      const server = await startEmbeddingServer((req) => reply(req));
      try {
        const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_x', batchSize: 8, backoffMs: 1 });
        const err = await ragError(() => embedder.embed(['one', 'two']));
        expect(err.code, `response with ${what}`).toBe(code);
      } finally {
        await server.close();
      }
    }
  });
});
