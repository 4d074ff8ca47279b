import { afterEach, describe, expect, test } from 'vitest';
import { because } from '#ailab/checks';
import { request, sleep, startServer, stopAll, until } from '../tests/harness.ts';
import { untilFirstBatch } from './helpers.ts';

afterEach(stopAll);

describe('backpressure and timeouts (hidden)', () => {
  test('past maxQueue the next request gets 429 at once, with Retry-After', async () => {
    // maxWaitMs is long so that a0 and a1 surely leave together, as one full batch
    const s = await startServer({ maxBatchSize: 2, maxWaitMs: 1000, maxQueue: 4 });
    await Promise.all(Array.from({ length: 8 }, () => s.get('/healthz'))); // open keep-alive sockets up front
    s.model.block();
    const first = ['a0', 'a1'].map((x) => s.infer(x));
    await untilFirstBatch(s, ['a0', 'a1']);
    const queued = ['q0', 'q1', 'q2', 'q3'].map((x) => s.infer(x));
    const refusedEarly: string[] = [];
    queued.forEach((p, i) => p.then((r) => r.status === 429 && refusedEarly.push(`q${i}`), () => undefined));
    try {
      await until(async () => (await s.queueDepth()) === 4, 2000, 'server.queueDepth to reach 4 (maxQueue) while the model is blocked');
    } catch (err) {
      // why the queue never filled: the server refused too soon, or it did not keep the requests queued
      const depth = await s.queueDepth();
      expect(refusedEarly, because('too-early', `${refusedEarly.join(', ')} got 429 while the queue held ${depth} (maxQueue is 4); expected 429 only once 4 requests wait`)).toEqual([]);
      expect(
        s.model.batches.length,
        because('busy-dispatch', `the model got ${s.model.batches.length} batches (${JSON.stringify(s.model.batches)}) while the first one was still running; expected q0 to q3 to wait in the queue (maxInflightBatches is 1)`),
      ).toBe(1);
      throw err;
    }
    // three overflow requests in a row: each must be refused; the fastest within 50 ms (one slow one is the machine, not you)
    const overs = [];
    for (let i = 0; i < 3; i++) {
      const over = await s.infer('over', { timeoutMs: 3000 }).catch((e: Error) => e);
      const got = over instanceof Error ? `no answer (${over.message})` : `${over.status}: ${over.text}`;
      if (over instanceof Error || over.status < 400) {
        expect.fail(because('too-late', `with maxQueue 4 requests waiting, overflow request ${i + 1} was accepted and got ${got}; expected 429 at once`));
      }
      expect(over.status, because('not-429', `with maxQueue 4 requests waiting, overflow request ${i + 1} got ${got}; expected the status 429 Too Many Requests`)).toBe(429);
      expect(
        String(over.headers['retry-after'] ?? ''),
        because('retry-after', `a 429 must carry a Retry-After header with a whole number of seconds >= 1; got ${over.headers['retry-after'] === undefined ? 'no Retry-After' : JSON.stringify(over.headers['retry-after'])}`),
      ).toMatch(/^[1-9]\d*$/);
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
    await untilFirstBatch(s, ['a0', 'a1'], { noneKey: 'full-batch' });
    const late = await s.infer('late', { timeoutMs: 3000 }).catch((e: Error) => e);
    if (late instanceof Error || late.status !== 504) {
      const got = late instanceof Error ? `no answer (${late.message})` : `${late.status}: ${late.text}`;
      expect.fail(because('no-504', `a request stuck in the queue behind a blocked batch got ${got}; expected 504 after requestTimeoutMs (${requestTimeoutMs} ms)`));
    }
    expect(late.ms, because('no-504', `the 504 came after ${late.ms.toFixed(0)} ms; expected it about requestTimeoutMs (${requestTimeoutMs} ms) after the request was queued`)).toBeLessThan(requestTimeoutMs + 1000);
    const depth = await s.queueDepth();
    expect(depth, because('stays-queued', `after its 504 the request is still queued (server.queueDepth is ${depth}); expected it removed (0)`)).toBe(0);
    s.model.unblock();
    await Promise.all(first);
    // two at once: a full batch leaves at once (a lone request would wait maxWaitMs = 1000 ms and time out)
    const after = await Promise.all(['after-0', 'after-1'].map((x) => s.infer(x)));
    expect(after.map((r) => r.status), 'the server keeps serving after a timeout').toEqual([200, 200]);
    expect(s.model.seen, because('stays-queued', `the model got the input "late" after it had been answered 504; expected it never to reach the model`)).not.toContain('late');
  });

  test('a client that disconnects is removed from the queue', async () => {
    const s = await startServer({ maxBatchSize: 2, maxWaitMs: 1000 });
    s.model.block();
    const first = ['a0', 'a1'].map((x) => s.infer(x).catch(() => undefined));
    await untilFirstBatch(s, ['a0', 'a1']);
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
    const next = await Promise.all(['p', 'q', 'r'].map((i) => s.infer(i, { timeoutMs: 2000 }).catch((e: Error) => e)));
    const got = next.map((r) => (r instanceof Error ? `no answer (${r.message})` : r.status));
    expect(got, because('stuck', `after the batch the model threw on, the next batch [p, q, r] got ${got.join(', ')}; expected 200, 200, 200`)).toEqual([200, 200, 200]);
    expect(next.map((r) => (r instanceof Error ? r.message : r.json.output))).toEqual(['out:p', 'out:q', 'out:r']);
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
    // what the model had already been handed when close() was called: those requests are in flight (or done)
    const dispatched = new Set(s.model.seen);
    let resolvedAt = -1;
    const closing = s.server.close().then(() => {
      resolvedAt = s.model.finishedItems;
    });
    await sleep(5);
    const newcomer = await request(s.port, { body: { input: 'newcomer' }, agent: false, timeoutMs: 2000 }).catch((e: Error) => e);
    await Promise.race([closing, sleep(3000)]);
    const replies = await Promise.all(pending);
    const afterwards = await request(s.port, { body: { input: 'late' }, agent: false, timeoutMs: 2000 }).catch((e: Error) => e);

    // 1. stop accepting
    expect(
      newcomer instanceof Error || newcomer.status === 503,
      because('still-accepting', `a new request sent 5 ms after close() was called got ${newcomer instanceof Error ? newcomer.message : `${newcomer.status}: ${newcomer.text}`}; expected a refused connection or 503`),
    ).toBe(true);
    expect(s.model.seen, because('still-accepting', 'the model got the input "newcomer", sent after close() was called; expected it never to reach the model')).not.toContain('newcomer');
    // 2. answer everyone accepted: first the requests already in the model, then those still queued
    for (const inFlight of [true, false]) {
      for (const [i, r] of replies.entries()) {
        if (dispatched.has(inputs[i]) !== inFlight) continue;
        const where = inFlight ? 'was already in the model when close() was called' : 'was still queued when close() was called';
        expect(
          r instanceof Error ? r.message : r.status,
          because(inFlight ? 'inflight-lost' : 'queued-lost', `request ${inputs[i]} ${where} and got ${r instanceof Error ? `no answer (${r.message})` : `${r.status}: ${r.text}`}; expected 200`),
        ).toBe(200);
        if (!(r instanceof Error)) expect(r.json.output, `request ${inputs[i]} got another output`).toBe(`out:${inputs[i]}`);
      }
    }
    // 3. resolve once the drain is over, then be closed
    expect(resolvedAt, because('close-hangs', 'close() had not resolved 3 s after it was called, although the 10 accepted requests take well under 1 s to drain')).not.toBe(-1);
    expect(resolvedAt, because('close-early', `close() resolved when the model had finished ${resolvedAt} of the 10 accepted requests; expected it to resolve only after all 10`)).toBe(10);
    expect(
      afterwards instanceof Error,
      because('port-open', `after close() resolved, a new connection to the port got ${afterwards instanceof Error ? afterwards.message : `${afterwards.status}: ${afterwards.text}`}; expected it to be refused`),
    ).toBe(true);
  });
});
