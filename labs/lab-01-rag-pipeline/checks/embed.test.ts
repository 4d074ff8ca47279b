import { describe, expect, test } from 'vitest';
import { field, learner } from '#ailab/learner';
import type * as Embed from '../src/embed.ts';
import type * as Errors from '../src/errors.ts';
import { because } from '#ailab/checks';
import type * as Text from '../src/text.ts';
import { fakeVectors, hashEmbedReference, startEmbeddingServer } from './reference.ts';

// HfEmbedder runs in the learner process and reaches the fake server here over loopback HTTP.
const { HashEmbedder, HfEmbedder } = await learner<typeof Embed>('src/embed.ts');
const { analyze, STOPWORDS } = await learner<typeof Text>('src/text.ts');
const { RagError } = await learner<typeof Errors>('src/errors.ts');
type RagError = InstanceType<typeof RagError>;

/** Run fn and return what it threw, or undefined if it resolved. */
async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/**
 * `err` (what a call threw, undefined if it succeeded) as a RagError, failing the check on anything
 * else; `what` says which call it was, and `key` (a hint_when key of the check) names the cause.
 */
function asRagError(err: unknown, what: string, key?: string): RagError {
  const say = (message: string) => (key ? because(key, message) : message);
  expect(err !== undefined, say(`${what}: the call succeeded, expected it to throw a RagError`)).toBe(true);
  expect(err instanceof RagError, say(`${what}: got ${String(err)}, expected a RagError with a code`)).toBe(true);
  return err as RagError;
}

/** Run fn and return the RagError it throws, failing the check on anything else (see asRagError). */
async function ragError(fn: () => Promise<unknown>, what: string, key?: string): Promise<RagError> {
  return asRagError(await thrown(fn), what, key);
}

const texts = ['alpha', 'bravo charlie', 'delta', 'echo foxtrot golf', 'hotel'];

describe('HashEmbedder (hidden)', () => {
  test('vectors match the documented signed feature hashing, for any seed and dim', async () => {
    const stop = new Set<string>(await STOPWORDS);
    const samples = [
      'How much coffee does the Kestrel K-207 grinder retain between doses?',
      'drowning the lower tiling',
      'INC-4714: the certificate expired at 03:00 and the pager stayed silent.',
      'Crème brûlée, naïve café, 東京 and 🍞 bread',
      'a',
      '',
    ];
    for (const [options, dim, seed] of [[{}, 384, 1234], [{ seed: 7 }, 384, 7], [{ dim: 61, seed: 99 }, 61, 99]] as const) {
      const embedder = await new HashEmbedder(options);
      expect(await field(embedder, 'dim'), `new HashEmbedder(${JSON.stringify(options)}): dim`).toBe(dim);
      const vectors = await embedder.embed(samples);
      for (const [i, text] of samples.entries()) {
        const words = (await analyze(text)).filter((w: string) => !stop.has(w));
        const want = hashEmbedReference(words, dim, seed);
        const got = Array.from(vectors[i]);
        expect(got.length, `${JSON.stringify(options)}: the vector of ${JSON.stringify(text)} has ${got.length} dimensions`).toBe(dim);
        const off = got.findIndex((x, j) => !(Math.abs(x - want[j]) < 1e-6));
        expect(off, `${JSON.stringify(options)}, text ${JSON.stringify(text)}: bucket ${off} is ${got[off]}, the documented hashing gives ${want[off]} (hash32(feature, ${seed}), bucket (h >>> 1) % ${dim}, sign -1 when h & 1, weights 1 and 0.7, then / L2 norm)`).toBe(-1);
      }
    }
    for (const dim of [0, -4, 2.5]) {
      const err = await thrown(async () => new HashEmbedder({ dim }));
      expect(err instanceof RagError && err.code === 'INVALID_OPTIONS', `new HashEmbedder({ dim: ${dim} }): got ${String(err)}, expected RagError INVALID_OPTIONS`).toBe(true);
      expect((err as RagError).message, `new HashEmbedder({ dim: ${dim} }): the error says what is wrong`).not.toBe('');
    }
  });
});

describe('HfEmbedder (hidden)', () => {
  test('sends batches of batchSize texts to endpointUrl and keeps the order', async () => {
    const server = await startEmbeddingServer((req) => ({ status: 200, json: fakeVectors(req.body.inputs, 4) }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_test_token', batchSize: 2, backoffMs: 1 });
      const vectors = await embedder.embed(texts);
      const batches = server.requests.map((r) => r.body?.inputs);
      const want = [texts.slice(0, 2), texts.slice(2, 4), texts.slice(4)];
      expect(batches, because('batches', `5 texts with batchSize 2: the server got the batches ${JSON.stringify(batches)}, expected ${JSON.stringify(want)} ({"inputs": [...]}, at most batchSize texts each, in order)`)).toEqual(want);
      for (const [i, r] of server.requests.entries()) {
        expect(r.method, because('request', `request ${i}: the method`)).toBe('POST');
        expect(r.url, because('request', `request ${i} went to ${r.url}: the client posts to the endpointUrl itself`)).toBe('/embed');
        expect(r.headers.authorization, because('request', `request ${i}: the Authorization header is ${JSON.stringify(r.headers.authorization)}, expected "Bearer hf_test_token" (the token goes to the client)`)).toBe('Bearer hf_test_token');
      }
      expect(vectors.length, because('vectors', `got ${vectors.length} vectors for ${texts.length} texts`)).toBe(texts.length);
      vectors.forEach((v, i) => {
        expect(v instanceof Float32Array, because('vectors', `vector ${i} is ${Array.isArray(v) ? 'an Array' : typeof v}, expected a Float32Array`)).toBe(true);
        expect(Array.from(v), because('vectors', `vector ${i} should belong to "${texts[i]}" (the order of the texts)`)).toEqual(fakeVectors([texts[i]], 4)[0]);
      });
      const dim = await field(embedder, 'dim');
      expect(dim, because('dim', `dim after the first response is ${dim}, expected 4 (the length of its vectors)`)).toBe(4);
      // a text count that is a multiple of batchSize: no extra, empty batch at the end
      const before = server.requests.length;
      const four = await embedder.embed(texts.slice(0, 4));
      const sent = server.requests.slice(before).map((r) => r.body?.inputs);
      expect(sent, because('batches', `4 texts with batchSize 2: the server got the batches ${JSON.stringify(sent)}, expected two`)).toEqual([texts.slice(0, 2), texts.slice(2, 4)]);
      expect(four.length, because('vectors', `4 texts: got ${four.length} vectors`)).toBe(4);
    } finally {
      await server.close();
    }
    for (const [what, options] of [
      ['no model and no endpointUrl', { accessToken: 'hf_x' }],
      ['batchSize 0', { endpointUrl: 'http://127.0.0.1:9/embed', batchSize: 0 }],
      ['batchSize -2', { endpointUrl: 'http://127.0.0.1:9/embed', batchSize: -2 }],
      ['batchSize 1.5', { endpointUrl: 'http://127.0.0.1:9/embed', batchSize: 1.5 }],
    ] as const) {
      const err = asRagError(await thrown(async () => new HfEmbedder(options)), `new HfEmbedder with ${what}`, 'options');
      expect(err.code, because('options', `new HfEmbedder with ${what}: the error's code`)).toBe('INVALID_OPTIONS');
      expect(err.message, because('options', `new HfEmbedder with ${what}: the error says what is wrong`)).not.toBe('');
    }
  });

  test('retries a 429 with backoff, then succeeds; gives up after maxRetries with a clear error', async () => {
    // Each way of failing gets its own hint (hint_when in lab.yaml): no retry at all, too little
    // backoff, the wrong number of requests, or the wrong error once the retries are used up.
    const server = await startEmbeddingServer((req, n) => (n < 3 ? { status: 429, json: { error: 'Rate limit reached, slow down' } } : { status: 200, json: fakeVectors(req.body.inputs, 3) }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_x', batchSize: 8, maxRetries: 3, backoffMs: 50 });
      let vectors: Float32Array[] = [];
      const err = await thrown(async () => {
        vectors = await embedder.embed(['one', 'two']);
      });
      expect(err === undefined, because('no-retry', `the server answered 429 three times, then 200 (maxRetries 3): embed() threw ${String(err)} after ${server.requests.length} request(s), expected it to retry and return the vectors of the fourth`)).toBe(true);
      expect(vectors.map((v) => Array.from(v))).toEqual(fakeVectors(['one', 'two'], 3));
      expect(server.requests.length, because('retry-count', `three 429s, then one success: the server saw ${server.requests.length} requests, expected 4`)).toBe(4);
      // the gaps between the requests, measured at the server: backoffMs * 2 ** attempt = 50, 100, 200 ms
      const gaps = server.requests.slice(1).map((r, i) => r.at - server.requests[i].at);
      const shown = gaps.map((g) => g.toFixed(0)).join(', ');
      gaps.forEach((gap, attempt) => {
        const want = 50 * 2 ** attempt;
        expect(gap, because('backoff', `backoffMs 50: retry ${attempt + 1} came ${gap.toFixed(0)} ms after the request before it (gaps ${shown} ms), expected at least ${want} ms: sleep backoffMs * 2 ** attempt and await it`)).toBeGreaterThanOrEqual(want - 2);
      });
      expect(gaps[0], because('backoff', `backoffMs 50: the first retry came ${gaps[0].toFixed(0)} ms after the first request, expected about 50 ms: use the backoffMs you were given`)).toBeLessThan(400);
    } finally {
      await server.close();
    }
    const always = await startEmbeddingServer(() => ({ status: 429, json: { error: 'Rate limit reached' } }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: always.url, accessToken: 'hf_x', maxRetries: 2, backoffMs: 1 });
      const what = 'a 429 on every request, maxRetries 2';
      const err = await ragError(() => embedder.embed(['one']), what, 'rate-limited-error');
      expect(err.code, because('rate-limited-error', `${what}: the error's code`)).toBe('EMBEDDING_RATE_LIMITED');
      expect(err.message, because('rate-limited-error', `${what}: the message should say that it was HTTP 429`)).toMatch(/429/);
      expect(always.requests.length, because('retry-count', `${what}: the server saw ${always.requests.length} requests, expected 3 (the first and 2 retries)`)).toBe(3);
    } finally {
      await always.close();
    }
  });

  test('gives up on a 503 after a bounded number of attempts', async () => {
    // @huggingface/inference retries a 503 by itself, forever and without delay, unless told not to
    const cap = 40;
    const server = await startEmbeddingServer(() => ({ status: 503, json: { error: 'Model is loading' } }), cap);
    try {
      const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_x', maxRetries: 2, backoffMs: 1 });
      const what = 'a 503 on every request, maxRetries 2';
      const err = await thrown(() => embedder.embed(['one']));
      const seen = server.requests.length;
      // past the cap the fake server answers 200: only retries without a bound and without a delay get there
      const key = seen > cap ? 'client-retries' : 'retry-count';
      expect(seen, because(key, `${what}: the server saw ${seen} requests${seen > cap ? `, answering 503 to the first ${cap}` : ''}, expected at most 3`)).toBeLessThanOrEqual(3);
      const rag = asRagError(err, what, 'unavailable-error');
      expect(rag.code, because('unavailable-error', `${what}: the error's code`)).toBe('EMBEDDING_UNAVAILABLE');
    } finally {
      await server.close();
    }
  });

  test('401 becomes a clear EMBEDDING_AUTH error, without retrying', async () => {
    // Each way of failing has its own hint (hint_when in lab.yaml): the 401 error, a retry, or the 404.
    const server = await startEmbeddingServer(() => ({ status: 401, json: { error: 'Invalid credentials in Authorization header' } }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_wrong', maxRetries: 3, backoffMs: 1 });
      const what = 'a 401 (wrong token)';
      const err = await ragError(() => embedder.embed(['one']), what, 'auth-error');
      expect(err.code, because('auth-error', `${what}: the error's code`)).toBe('EMBEDDING_AUTH');
      expect(err.message, because('auth-error', `${what}: the message should say that it was HTTP 401`)).toMatch(/401/);
      expect(err.message, because('auth-error', `${what}: the message should point at the token (HF_TOKEN)`)).toMatch(/token/i);
      expect(server.requests.length, because('retried', `${what}: the server saw ${server.requests.length} requests, expected 1: a wrong token will not get better, do not retry a 401`)).toBe(1);
    } finally {
      await server.close();
    }
    const missing = await startEmbeddingServer(() => ({ status: 404, json: { error: 'Model not found' } }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: missing.url, accessToken: 'hf_x', backoffMs: 1 });
      const what = 'a 404 (no such model)';
      const err = await ragError(() => embedder.embed(['one']), what, 'not-found');
      expect(err.code, because('not-found', `${what}: the error's code`)).toBe('EMBEDDING_NOT_FOUND');
      expect(missing.requests.length, because('retried', `${what}: the server saw ${missing.requests.length} requests, expected 1: do not retry a 404`)).toBe(1);
      expect(err.message, because('not-found', `${what}: the message should name the endpoint that was not found (${missing.url})`)).toContain(missing.url);
    } finally {
      await missing.close();
    }
    const forbidden = await startEmbeddingServer(() => ({ status: 403, json: { error: 'This token has no inference permission' } }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: forbidden.url, accessToken: 'hf_readonly', maxRetries: 3, backoffMs: 1 });
      const what = 'a 403 (a token without inference permission)';
      const err = await ragError(() => embedder.embed(['one']), what, 'auth-error');
      expect(err.code, because('auth-error', `${what}: the error's code`)).toBe('EMBEDDING_AUTH');
      expect(err.message, because('auth-error', `${what}: the message should say that it was HTTP 403`)).toMatch(/403/);
      expect(forbidden.requests.length, because('retried', `${what}: the server saw ${forbidden.requests.length} requests, expected 1`)).toBe(1);
    } finally {
      await forbidden.close();
    }
    const broken = await startEmbeddingServer(() => ({ status: 500, json: { error: 'Internal server error' } }));
    try {
      const embedder = await new HfEmbedder({ endpointUrl: broken.url, accessToken: 'hf_x', maxRetries: 3, backoffMs: 1 });
      const what = 'a 500 (the server failed)';
      const err = await ragError(() => embedder.embed(['one']), what, 'other-error');
      expect(err.code, because('other-error', `${what}: the error's code (any other failure is EMBEDDING_FAILED)`)).toBe('EMBEDDING_FAILED');
      expect(err.message, because('other-error', `${what}: the error says what failed`)).not.toBe('');
      expect(broken.requests.length, because('retried', `${what}: the server saw ${broken.requests.length} requests, expected 1: only a 429 or a 503 is retried`)).toBe(1);
    } finally {
      await broken.close();
    }
  });

  test('a malformed response becomes a clear error', async () => {
    // the hint_when key of each case: what the client rejects itself, or what only your code can check
    const cases: [string, (req: any) => { status: number; json?: unknown; text?: string; contentType?: string }, string, string][] = [
      ['an object instead of a list', () => ({ status: 200, json: { embeddings: [[1, 2]] } }), 'EMBEDDING_MALFORMED', 'client-output'],
      ['strings instead of numbers', (req) => ({ status: 200, json: req.body.inputs.map(() => ['a', 'b']) }), 'EMBEDDING_MALFORMED', 'client-output'],
      ['fewer vectors than texts', () => ({ status: 200, json: [[1, 2, 3]] }), 'EMBEDDING_MALFORMED', 'vector-count'],
      ['vectors of different lengths', () => ({ status: 200, json: [[1, 2, 3], [1, 2]] }), 'DIMENSION_MISMATCH', 'dimension-mismatch'],
      ['plain text', () => ({ status: 200, text: 'hello', contentType: 'text/plain' }), 'EMBEDDING_MALFORMED', 'client-output'],
      ['a number where a vector should be', () => ({ status: 200, json: [0.5, 0.25] }), 'EMBEDDING_MALFORMED', 'vector-values'],
      ['an infinite number (1e999)', () => ({ status: 200, text: '[[1e999, 1, 2], [1, 2, 3]]' }), 'EMBEDDING_MALFORMED', 'vector-values'],
      ['a later vector with an infinite number', () => ({ status: 200, text: '[[1, 2, 3], [1, -1e999, 3]]' }), 'EMBEDDING_MALFORMED', 'vector-values'],
    ];
    for (const [what, reply, code, key] of cases) {
      const server = await startEmbeddingServer((req) => reply(req));
      try {
        const embedder = await new HfEmbedder({ endpointUrl: server.url, accessToken: 'hf_x', batchSize: 8, backoffMs: 1 });
        const err = await ragError(() => embedder.embed(['one', 'two']), `2 texts, a response with ${what}`, key);
        expect(err.code, because(key, `2 texts, a response with ${what}: the error's code`)).toBe(code);
        expect(err.message, because(key, `2 texts, a response with ${what}: the error says what is wrong`)).not.toBe('');
      } finally {
        await server.close();
      }
    }
  });
});
