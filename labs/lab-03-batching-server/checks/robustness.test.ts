import { afterEach, describe, expect, test } from 'vitest';
import { request, sleep, startServer, stopAll, until } from '../tests/harness.ts';

afterEach(stopAll);

describe('backpressure and timeouts (hidden)', () => {
  test('past maxQueue the next request gets 429 at once, with Retry-After', async () => {
    // maxWaitMs is long so that a0 and a1 surely leave together, as one full batch
    const s = await startServer({ maxBatchSize: 2, maxWaitMs: 1000, maxQueue: 4 });
    await Promise.all(Array.from({ length: 8 }, () => s.get('/healthz'))); // open keep-alive sockets up front
    s.model.block();
    const first = ['a0', 'a1'].map((x) => s.infer(x));
    await until(() => s.model.seen.length === 2, 2000, 'the first full batch [a0, a1] to reach the (blocked) model');
    const queued = ['q0', 'q1', 'q2', 'q3'].map((x) => s.infer(x));
    await until(async () => (await s.queueDepth()) === 4, 2000, 'server.queueDepth to reach 4 (maxQueue) while the model is blocked');
    // three overflow requests in a row: each must be refused; the fastest within 50 ms (one slow one is the machine, not you)
    const overs = [];
    for (let i = 0; i < 3; i++) {
      const over = await s.infer('over', { timeoutMs: 3000 });
      expect(over.status, `with maxQueue 4 requests waiting, the next one must get 429 (got ${over.status}: ${over.text})`).toBe(429);
      expect(String(over.headers['retry-after'] ?? ''), 'a 429 must carry a Retry-After header with a whole number of seconds >= 1').toMatch(/^[1-9]\d*$/);
      expect(typeof over.json?.error, 'error responses are JSON: {"error": "<message>"}').toBe('string');
      overs.push(over.ms);
    }
    expect(Math.min(...overs), `the 429s took ${overs.map((ms) => ms.toFixed(0)).join(', ')} ms; refuse at once, do not queue the request`).toBeLessThan(50);
    expect(Math.max(...overs), `the 429s took ${overs.map((ms) => ms.toFixed(0)).join(', ')} ms; refuse at once, do not queue the request`).toBeLessThan(1000);
    s.model.unblock();
    const done = await Promise.all([...first, ...queued]);
    expect(done.map((r) => r.status), 'every accepted request completes once the model unblocks').toEqual([200, 200, 200, 200, 200, 200]);
    expect(s.model.seen, 'a refused request must never reach the model').not.toContain('over');
  });

  test('a request that times out in the queue gets 504 and never reaches the model', async () => {
    const requestTimeoutMs = 150;
    const s = await startServer({ maxBatchSize: 2, maxWaitMs: 1000, requestTimeoutMs });
    s.model.block();
    const first = ['a0', 'a1'].map((x) => s.infer(x).catch(() => undefined));
    await until(() => s.model.seen.length === 2, 2000, 'the first full batch [a0, a1] to reach the (blocked) model');
    const late = await s.infer('late', { timeoutMs: 3000 });
    expect(late.status, `a request stuck in the queue past requestTimeoutMs must get 504 (got ${late.status}: ${late.text})`).toBe(504);
    expect(late.ms, `the 504 came after ${late.ms.toFixed(0)} ms; requestTimeoutMs is ${requestTimeoutMs}`).toBeLessThan(requestTimeoutMs + 1000);
    expect(await s.queueDepth(), 'a timed-out request must leave the queue').toBe(0);
    s.model.unblock();
    await Promise.all(first);
    // two at once: a full batch leaves at once (a lone request would wait maxWaitMs = 1000 ms and time out)
    const after = await Promise.all(['after-0', 'after-1'].map((x) => s.infer(x)));
    expect(after.map((r) => r.status), 'the server keeps serving after a timeout').toEqual([200, 200]);
    expect(s.model.seen, 'a timed-out request must never reach the model').not.toContain('late');
  });

  test('a client that disconnects is removed from the queue', async () => {
    const s = await startServer({ maxBatchSize: 2, maxWaitMs: 1000 });
    s.model.block();
    const first = ['a0', 'a1'].map((x) => s.infer(x).catch(() => undefined));
    await until(() => s.model.seen.length === 2, 2000, 'the first full batch [a0, a1] to reach the (blocked) model');
    const ac = new AbortController();
    const leaver = s.infer('leaver', { signal: ac.signal }).catch(() => 'aborted');
    await until(async () => (await s.queueDepth()) === 1, 2000, 'the request to be queued (server.queueDepth === 1)');
    ac.abort();
    expect(await leaver).toBe('aborted');
    await until(async () => (await s.queueDepth()) === 0, 1000, 'the disconnected client to be removed from the queue (server.queueDepth back to 0)');
    s.model.unblock();
    await Promise.all(first);
    const after = await s.infer('after');
    expect(after.status, 'the server keeps serving').toBe(200);
    expect(s.model.seen, 'the model must never see the input of a client that left').not.toContain('leaver');
  });
});

describe('errors (hidden)', () => {
  test('an invalid input gets 400 while its batch-mates get 200', async () => {
    const s = await startServer({ maxBatchSize: 4, maxWaitMs: 150 });
    const [g1, g2, bad, g3] = await Promise.all([s.infer('g1'), s.infer('g2'), s.infer(42), s.infer('g3')]);
    expect(bad.status, `an input the model's validate() rejects must get 400 (got ${bad.status}: ${bad.text})`).toBe(400);
    expect(typeof bad.json?.error, 'error responses are JSON: {"error": "<message>"}').toBe('string');
    expect([g1, g2, g3].map((r) => r.status), 'the valid batch-mates must still succeed').toEqual([200, 200, 200]);
    expect([g1, g2, g3].map((r) => r.json.output)).toEqual(['out:g1', 'out:g2', 'out:g3']);
    expect(s.model.seen, 'an invalid input must never reach the model: call model.validate() before queueing').not.toContain(42);
  });

  test('a model that throws fails only its batch with 500s, and the next batch works', async () => {
    const s = await startServer({ maxBatchSize: 3, maxWaitMs: 1000 });
    const failed = await Promise.all(['x', 'boom', 'y'].map((i) => s.infer(i)));
    expect(failed.map((r) => r.status), 'every request in the batch the model threw on gets 500').toEqual([500, 500, 500]);
    expect(typeof failed[0].json?.error, 'error responses are JSON: {"error": "<message>"}').toBe('string');
    const next = await Promise.all(['p', 'q', 'r'].map((i) => s.infer(i, { timeoutMs: 2000 })));
    expect(next.map((r) => r.status), 'the next batch must work: a throw must not leave the batcher stuck').toEqual([200, 200, 200]);
    expect(next.map((r) => r.json.output)).toEqual(['out:p', 'out:q', 'out:r']);
  });

  test('bad requests get a clear status and the server keeps serving', async () => {
    const s = await startServer();
    const cases: { what: string; status: number; send: () => ReturnType<typeof request> }[] = [
      { what: 'malformed JSON', status: 400, send: () => request(s.port, { raw: '{"input": ', headers: { 'content-type': 'application/json' } }) },
      { what: 'a JSON array body', status: 400, send: () => request(s.port, { raw: '["x"]', headers: { 'content-type': 'application/json' } }) },
      { what: 'a missing "input"', status: 400, send: () => request(s.port, { body: { inputs: ['x'] } }) },
      { what: 'content-type text/plain', status: 415, send: () => request(s.port, { raw: '{"input":"x"}', headers: { 'content-type': 'text/plain' } }) },
      { what: 'no content-type', status: 415, send: () => request(s.port, { raw: '{"input":"x"}' }) },
      {
        what: 'a 100,000-byte body (limit 65,536)',
        status: 413,
        send: () => request(s.port, { raw: JSON.stringify({ input: 'x'.repeat(100_000) }), headers: { 'content-type': 'application/json' } }),
      },
      { what: 'GET /v1/infer', status: 405, send: () => request(s.port, { method: 'GET' }) },
      { what: 'an unknown route', status: 404, send: () => request(s.port, { path: '/v2/infer', body: { input: 'x' } }) },
    ];
    for (const c of cases) {
      const r = await c.send();
      expect(r.status, `${c.what} should get ${c.status}, got ${r.status}: ${r.text}`).toBe(c.status);
      expect(typeof r.json?.error, `${c.what}: error responses are JSON {"error": "<message>"}, got ${JSON.stringify(r.text)}`).toBe('string');
    }
    expect(s.model.seen, 'no bad request may reach the model').toEqual([]);
    const big = await s.infer('y'.repeat(60_000));
    expect(big.status, 'a 60,000-byte body is under the 65,536-byte limit and must be accepted').toBe(200);
    const ok = await s.infer('still-alive');
    expect(ok.status, 'the server keeps serving after bad requests').toBe(200);
  });
});

describe('lifecycle (hidden)', () => {
  test('shutdown stops accepting, drains the queue, then closes', async () => {
    const s = await startServer({ maxBatchSize: 4, maxWaitMs: 300 });
    const inputs = Array.from({ length: 10 }, (_, i) => `d-${i}`);
    const pending = inputs.map((x) => s.infer(x, { timeoutMs: 4000 }).catch((e: Error) => e));
    await until(
      async () => {
        // the model's count first: read after the depth, a batch dispatched in between would count twice
        const batches = s.model.batches.length;
        const seen = s.model.seen.length;
        const depth = await s.queueDepth();
        return batches >= 1 && depth > 0 && seen + depth === 10;
      },
      2000,
      'all 10 requests accepted: a batch in flight and requests still queued',
    );
    let resolvedAt = -1;
    const closing = s.server.close().then(() => {
      resolvedAt = s.model.finishedItems;
    });
    await sleep(5);
    const newcomer = await request(s.port, { body: { input: 'newcomer' }, agent: false, timeoutMs: 2000 }).catch((e: Error) => e);
    expect(
      newcomer instanceof Error || newcomer.status === 503,
      `once close() is called, new requests must be refused (connection refused, or 503); got ${newcomer instanceof Error ? newcomer.message : newcomer.status}`,
    ).toBe(true);
    await Promise.race([closing, sleep(3000)]);
    expect(resolvedAt, 'close() should resolve (within 3 s) only after the model has finished all 10 accepted requests').toBe(10);
    const replies = await Promise.all(pending);
    for (const [i, r] of replies.entries()) {
      expect(r instanceof Error ? r.message : r.status, `accepted request ${inputs[i]} must be answered during the drain`).toBe(200);
      if (!(r instanceof Error)) expect(r.json.output).toBe(`out:${inputs[i]}`);
    }
    expect(s.model.seen, 'the model must not see requests that arrived after close()').not.toContain('newcomer');
    const afterwards = await request(s.port, { body: { input: 'late' }, agent: false, timeoutMs: 2000 }).catch((e: Error) => e);
    expect(afterwards instanceof Error, 'after close() resolves, the port must be closed').toBe(true);
  });
});
