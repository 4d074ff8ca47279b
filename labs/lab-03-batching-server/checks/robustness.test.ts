import { afterEach, describe, expect, test } from 'vitest';
import { because } from '#ailab/checks';
import http from 'node:http';
import { createFakeModel, request, sleep, startServer, stopAll, until, type Reply } from '../tests/harness.ts';
import { parseProm, untilFirstBatch } from './helpers.ts';

afterEach(stopAll);

/** POST /v1/infer with a chunked body (no content-length), sent in two writes, on a fresh connection. */
function chunked(port: number, body: string): Promise<Reply> {
  const started = performance.now();
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/infer', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parsed, ms: performance.now() - started });
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error('no response to a chunked POST /v1/infer within 5000 ms')));
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    req.end(body.slice(half));
  });
}

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
      expect(over.json.error, `the 429's error message must say what went wrong, got ${JSON.stringify(over.text)}`).toMatch(/\S/);
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
    expect(typeof late.json?.error === 'string' && /\S/.test(late.json.error), `the 504 needs a JSON body {"error": "<message>"} that says what went wrong, got ${JSON.stringify(late.text)}`).toBe(true);
    expect(late.ms, because('no-504', `the 504 came after ${late.ms.toFixed(0)} ms; expected it about requestTimeoutMs (${requestTimeoutMs} ms) after the request was queued`)).toBeLessThan(requestTimeoutMs + 1000);
    const depth = await s.queueDepth();
    expect(depth, because('stays-queued', `after its 504 the request is still queued (server.queueDepth is ${depth}); expected it removed (0)`)).toBe(0);
    s.model.unblock();
    const firstDone = await Promise.all(first);
    const firstGot = firstDone.map((r) => (r ? `${r.status}` : 'no answer'));
    expect(
      firstGot,
      `a0 and a1 were dispatched before their requestTimeoutMs (${requestTimeoutMs} ms) ran out and got ${firstGot.join(', ')}; once its batch is dispatched, a request waits for the model: expected 200, 200`,
    ).toEqual(['200', '200']);
    // two at once: a full batch leaves at once (a lone request would wait maxWaitMs = 1000 ms and time out)
    const after = await Promise.all(['after-0', 'after-1'].map((x) => s.infer(x)));
    expect(after.map((r) => r.status), 'the server keeps serving after a timeout').toEqual([200, 200]);
    expect(s.model.seen, because('stays-queued', `the model got the input "late" after it had been answered 504; expected it never to reach the model`)).not.toContain('late');
  });

  test('a client that disconnects is removed from the queue', async () => {
    const s = await startServer({ maxBatchSize: 2, maxWaitMs: 1000 });
    s.model.block();
    const ac0 = new AbortController();
    const first = ['a0', 'a1'].map((x) => s.infer(x, x === 'a0' ? { signal: ac0.signal } : {}).catch(() => undefined));
    await untilFirstBatch(s, ['a0', 'a1']);
    // a0's client leaves while its batch is in the model: too late to cancel, the batch runs it anyway
    ac0.abort();
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

    // a client that hangs up in the middle of its upload: its handler must end too
    const upload = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/v1/infer', agent: false, headers: { 'content-type': 'application/json', 'content-length': '1000' } });
    upload.on('error', () => undefined);
    upload.write('{"input": "half');
    await sleep(50);
    upload.destroy();
    await sleep(50);

    const { samples } = parseProm((await s.get('/metrics')).text);
    const statuses = samples.filter((x) => x.name === 'batcher_requests_total').map((x) => `${x.labels.status}=${x.value}`);
    expect(
      statuses,
      `batcher_requests_total is {${statuses.join(', ')}}: a0 (its batch already in the model) and a1 and "after" are 200, the queued "leaver" that left is 499, and the aborted upload was never answered nor counted`,
    ).toEqual(['200=3', '499=1']);
    const closed = await Promise.race([s.server.close().then(() => true), sleep(2500).then(() => false)]);
    expect(closed, 'close() must resolve soon once nothing is queued: a client that hung up mid-upload must not leave its handler waiting forever').toBe(true);
  });
});

describe('errors (hidden)', () => {
  test('an invalid input gets 400 while its batch-mates get 200', async () => {
    const s = await startServer({ maxBatchSize: 4, maxWaitMs: 150 });
    const [g1, g2, bad, g3] = await Promise.all([s.infer('g1'), s.infer('g2'), s.infer(42), s.infer('g3')]);
    expect(bad.status, `an input the model's validate() rejects must get 400 (got ${bad.status}: ${bad.text})`).toBe(400);
    expect(typeof bad.json?.error, 'error responses are JSON: {"error": "<message>"}').toBe('string');
    expect(bad.json.error, `the 400's error message must say what went wrong, got ${JSON.stringify(bad.text)}`).toMatch(/\S/);
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
    expect(failed[0].json.error, `the 500's error message must say what went wrong, got ${JSON.stringify(failed[0].text)}`).toMatch(/\S/);
    const { samples } = parseProm((await s.get('/metrics')).text);
    const statuses = samples.filter((x) => x.name === 'batcher_requests_total').map((x) => `${x.labels.status}=${x.value}`);
    expect(statuses, `batcher_requests_total is {${statuses.join(', ')}}; expected 3 answers with 500 and 3 with 200`).toEqual(['200=3', '500=3']);

    // a model that returns one output too few for a batch: that batch fails with 500s, the next one works
    const model = createFakeModel();
    const predict = model.predict.bind(model);
    model.predict = async (inputs) => {
      const outputs = await predict(inputs);
      return inputs.includes('short') ? outputs.slice(1) : outputs;
    };
    const t = await startServer({ model, maxBatchSize: 3, maxWaitMs: 1000 });
    const shortGot = await Promise.all(['u', 'short', 'v'].map((i) => t.infer(i)));
    expect(
      shortGot.map((r) => r.status),
      `the model returned 2 outputs for the 3 inputs [u, short, v], and the requests got ${shortGot.map((r) => `${r.status}: ${r.text}`).join('; ')}; check the number of outputs and answer 500 to the whole batch`,
    ).toEqual([500, 500, 500]);
    const again = await Promise.all(['w', 'x', 'y'].map((i) => t.infer(i, { timeoutMs: 2000 })));
    expect(again.map((r) => r.status), 'the next batch works').toEqual([200, 200, 200]);
  });

  test('bad requests get a clear status and the server keeps serving', async () => {
    // a model that accepts any input, so that only the server's own checks of the body can refuse it
    const model = createFakeModel();
    model.validate = () => null;
    const s = await startServer({ model });
    const json = { 'content-type': 'application/json' };
    const cases: { what: string; status: number | number[]; send: () => ReturnType<typeof request>; allow?: string }[] = [
      { what: 'malformed JSON', status: 400, send: () => request(s.port, { raw: '{"input": ', headers: json }) },
      { what: 'a JSON array body', status: 400, send: () => request(s.port, { raw: '["x"]', headers: json }) },
      { what: 'a JSON null body', status: 400, send: () => request(s.port, { raw: 'null', headers: json }) },
      { what: 'a JSON string body', status: 400, send: () => request(s.port, { raw: '"input"', headers: json }) },
      { what: 'a JSON number body', status: 400, send: () => request(s.port, { raw: '42', headers: json }) },
      { what: 'a missing "input"', status: 400, send: () => request(s.port, { body: { inputs: ['x'] } }) },
      { what: 'content-type text/plain', status: 415, send: () => request(s.port, { raw: '{"input":"x"}', headers: { 'content-type': 'text/plain' } }) },
      { what: 'content-type x-application/json', status: 415, send: () => request(s.port, { raw: '{"input":"x"}', headers: { 'content-type': 'x-application/json' } }) },
      { what: 'content-type application/json-patch+json', status: 415, send: () => request(s.port, { raw: '{"input":"x"}', headers: { 'content-type': 'application/json-patch+json' } }) },
      { what: 'no content-type', status: 415, send: () => request(s.port, { raw: '{"input":"x"}' }) },
      {
        what: 'a 100,000-byte body (limit 65,536)',
        status: 413,
        send: () => request(s.port, { raw: JSON.stringify({ input: 'x'.repeat(100_000) }), headers: json }),
      },
      { what: 'a 70,000-byte chunked body, without content-length (limit 65,536)', status: 413, send: () => chunked(s.port, JSON.stringify({ input: 'x'.repeat(70_000) })) },
      { what: 'GET /v1/infer', status: 405, allow: 'POST', send: () => request(s.port, { method: 'GET' }) },
      { what: 'an unknown route', status: 404, send: () => request(s.port, { path: '/v2/infer', body: { input: 'x' } }) },
      { what: 'POST /healthz', status: [404, 405], send: () => request(s.port, { path: '/healthz', body: { input: 'x' } }) },
      { what: 'DELETE /metrics', status: [404, 405], send: () => request(s.port, { method: 'DELETE', path: '/metrics' }) },
    ];
    for (const c of cases) {
      const r = await c.send();
      const want = Array.isArray(c.status) ? c.status : [c.status];
      expect(want, `${c.what} should get ${want.join(' or ')}, got ${r.status}: ${r.text}`).toContain(r.status);
      expect(typeof r.json?.error, `${c.what}: error responses are JSON {"error": "<message>"}, got ${JSON.stringify(r.text)}`).toBe('string');
      expect(r.json.error, `${c.what}: the error message must say what went wrong, got ${JSON.stringify(r.text)}`).toMatch(/\S/);
      expect(String(r.headers['content-type']), `${c.what}: a JSON body is served as application/json`).toMatch(/^application\/json/);
      if (c.allow) expect(r.headers.allow, `${c.what}: a 405 names the allowed method in an Allow header`).toBe(c.allow);
    }
    expect(s.model.seen, 'no bad request may reach the model').toEqual([]);
    const big = await s.infer('y'.repeat(60_000));
    expect(big.status, 'a 60,000-byte body is under the 65,536-byte limit and must be accepted').toBe(200);
    expect(String(big.headers['content-type']), 'a JSON body is served as application/json').toMatch(/^application\/json/);
    const exact = JSON.stringify({ input: 'z'.repeat(65_536 - '{"input":""}'.length) });
    const atLimit = await request(s.port, { raw: exact, headers: json });
    expect(atLimit.status, `a body of exactly 65,536 bytes (the limit) must be accepted, got ${atLimit.status}: ${atLimit.text.slice(0, 200)}`).toBe(200);
    const atLimitChunked = await chunked(s.port, exact);
    expect(atLimitChunked.status, `a chunked body of exactly 65,536 bytes (the limit) must be accepted, got ${atLimitChunked.status}: ${atLimitChunked.text.slice(0, 200)}`).toBe(200);
    const ok = await s.infer('still-alive');
    expect(ok.status, 'the server keeps serving after bad requests').toBe(200);
  });

  test('createServer refuses invalid options', async () => {
    const bad: Record<string, unknown>[] = [
      { maxBatchSize: 0 },
      { maxBatchSize: 2.5 },
      { maxBatchSize: '8' },
      { maxQueue: 0 },
      { requestTimeoutMs: -5 },
      { maxInflightBatches: 0 },
      { maxBodyBytes: 1.5 },
      { maxWaitMs: -1 },
      { maxWaitMs: '10' },
    ];
    for (const o of bad) {
      const got = await startServer(o as never).then(
        () => 'no error',
        (e: unknown) => e,
      );
      expect(got, `createServer with ${JSON.stringify(o)} must throw: maxBatchSize, maxQueue, requestTimeoutMs, maxInflightBatches and maxBodyBytes are positive integers, maxWaitMs a number >= 0`).not.toBe('no error');
    }
    const s = await startServer({ maxBatchSize: 1, maxWaitMs: 0 });
    const r = await s.infer('zero-wait');
    expect(r.status, `maxWaitMs 0 is valid (no waiting); got ${r.status}: ${r.text}`).toBe(200);
  });
});

describe('lifecycle (hidden)', () => {
  test('shutdown stops accepting, drains the queue, then closes', async () => {
    // maxWaitMs is long: the drain must flush the last partial batch, not wait for its deadline. It is
    // three times the 2 s the first batch may take to leave below, so a server that dispatches only
    // on the timer (mutants/no-size-trigger) surely has none in flight by then, however busy the machine.
    const maxWaitMs = 6000;
    const s = await startServer({ maxBatchSize: 4, maxWaitMs });
    // a request whose upload is still in progress when close() is called (a kept-alive socket): it comes too late to be served
    const slow = http.request({ host: '127.0.0.1', port: s.port, method: 'POST', path: '/v1/infer', agent: s.agent, headers: { 'content-type': 'application/json', 'content-length': String('{"input": "slow"}'.length) } });
    const slowReply = new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string } | Error>((resolve) => {
      slow.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', resolve);
      });
      slow.on('error', resolve);
    });
    slow.write('{"input": ');
    await sleep(20);
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
    let closeMs = -1;
    const closeStarted = performance.now();
    const closing = s.server.close().then(() => {
      resolvedAt = s.model.finishedItems;
      closeMs = performance.now() - closeStarted;
    });
    await sleep(5);
    slow.end('"slow"}');
    const newcomer = await request(s.port, { body: { input: 'newcomer' }, agent: false, timeoutMs: 2000 }).catch((e: Error) => e);
    await Promise.race([closing, sleep(3000)]);
    const replies = await Promise.all(pending);
    const slowGot = await Promise.race([slowReply, sleep(1000).then(() => new Error('no answer within 1 s'))]);
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
    // 4. the request that finished its upload after close() was called: 503 with Connection: close, and never the model
    const slowText = slowGot instanceof Error ? `no answer (${slowGot.message})` : `${slowGot.status}: ${slowGot.text}`;
    expect(slowGot instanceof Error ? slowGot.message : slowGot.status, `a request whose body arrived after close() was called got ${slowText}; expected 503`).toBe(503);
    if (!(slowGot instanceof Error)) {
      expect(String(slowGot.headers.connection), 'an answer sent while the server shuts down carries Connection: close').toBe('close');
      expect(/\S/.test(String(JSON.parse(slowGot.text).error ?? '')), `the 503 needs a JSON body {"error": "<message>"}, got ${JSON.stringify(slowGot.text)}`).toBe(true);
    }
    expect(s.model.seen, 'the model got the input "slow", whose body arrived after close() was called').not.toContain('slow');
    // 5. the drain flushes: the last partial batch does not wait for maxWaitMs
    expect(closeMs, `close() took ${closeMs.toFixed(0)} ms; draining 10 requests takes well under 1 s: dispatch the last partial batch at once instead of waiting for maxWaitMs (${maxWaitMs} ms)`).toBeLessThan(1000);
  });
});
