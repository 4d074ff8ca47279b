import { afterEach, describe, expect, test } from 'vitest';
import { request, startServer, stopAll } from './harness.ts';

// startServer() runs your createServer() in a process of its own (see harness.ts); every call to it is awaited.
afterEach(stopAll);

describe('batching server', () => {
  test('GET /healthz answers 200', async () => {
    const s = await startServer();
    const r = await s.get('/healthz');
    expect(r.status, `GET /healthz answered ${r.status}: ${r.text}`).toBe(200);
    expect(r.json).toEqual({ status: 'ok' });
  });

  test('POST /v1/infer answers with the output and the batch size', async () => {
    const s = await startServer({ maxBatchSize: 4, maxWaitMs: 10 });
    const r = await s.infer('hello');
    expect(r.status, `POST /v1/infer answered ${r.status}: ${r.text}`).toBe(200);
    expect(r.json, 'a lone request rides in a batch of 1; the fake model answers "out:<input>"').toEqual({ output: 'out:hello', batchSize: 1 });
    expect(s.model.batches, 'the model should have been called once, with ["hello"]').toEqual([['hello']]);
  });

  test('maxBatchSize simultaneous requests ride in one batch', async () => {
    const s = await startServer({ maxBatchSize: 4, maxWaitMs: 200 });
    const replies = await Promise.all(['a', 'b', 'c', 'd'].map((x) => s.infer(x)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(replies.map((r) => r.json.output), 'each response carries the output of its own input').toEqual(['out:a', 'out:b', 'out:c', 'out:d']);
    expect(replies.map((r) => r.json.batchSize)).toEqual([4, 4, 4, 4]);
    expect(s.model.batches.length, `expected 1 batch of 4, the model saw ${JSON.stringify(s.model.batches)}`).toBe(1);
  });

  test('an unknown route gets 404 and a body without "input" gets 400', async () => {
    const s = await startServer();
    const nf = await request(s.port, { method: 'GET', path: '/nope', agent: s.agent });
    expect(nf.status, `GET /nope answered ${nf.status}`).toBe(404);
    expect(typeof nf.json?.error, 'error responses are JSON: {"error": "<message>"}').toBe('string');
    const missing = await request(s.port, { body: { prompt: 'x' }, agent: s.agent });
    expect(missing.status, `a body without "input" answered ${missing.status}: ${missing.text}`).toBe(400);
    expect(typeof missing.json?.error, 'error responses are JSON: {"error": "<message>"}').toBe('string');
    expect(s.model.batches, 'a rejected request must never reach the model').toEqual([]);
  });
});
