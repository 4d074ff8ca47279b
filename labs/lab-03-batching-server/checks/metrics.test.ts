import { afterEach, describe, expect, test } from 'vitest';
import { because } from '#ailab/checks';
import { request, startServer, stopAll } from '../tests/harness.ts';
import { parseProm, untilFirstBatch, type Sample } from './helpers.ts';

afterEach(stopAll);

function one(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hit = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hit.length === 1 ? hit[0].value : undefined;
}

/** A sample's value for a message: the number, or why one() found none. */
const shown = (v: number | undefined) => (v === undefined ? 'missing (no sample, or more than one)' : String(v));

function checkHistogram(samples: Sample[], name: string): void {
  const buckets = samples.filter((s) => s.name === `${name}_bucket`);
  expect(buckets.length, `${name} needs _bucket lines`).toBeGreaterThan(1);
  const les = buckets.map((b) => b.labels.le);
  expect(les.at(-1), `the last ${name}_bucket must have le="+Inf"`).toBe('+Inf');
  const bounds = les.map((le) => (le === '+Inf' ? Infinity : Number(le)));
  expect(bounds.every((b, i) => i === 0 || b > bounds[i - 1]), `${name} buckets must be in increasing le order: ${les.join(', ')}`).toBe(true);
  const counts = buckets.map((b) => b.value);
  expect(
    counts.every((c, i) => i === 0 || c >= counts[i - 1]),
    because('cumulative', `${name} buckets are cumulative (le="4" counts everything <= 4), so they never decrease; got ${counts.join(', ')}`),
  ).toBe(true);
  expect(counts.at(-1), `${name}_bucket{le="+Inf"} must equal ${name}_count`).toBe(one(samples, `${name}_count`));
  expect(one(samples, `${name}_sum`), `${name}_sum is missing`).toBeTypeOf('number');
}

describe('metrics (hidden)', () => {
  test('GET /metrics is valid Prometheus text with the four metrics', async () => {
    const s = await startServer({ maxBatchSize: 4, maxWaitMs: 10 });
    await Promise.all(['a', 'b', 'c'].map((x) => s.infer(x)));
    const r = await s.get('/metrics');
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type']), 'serve /metrics as text/plain').toMatch(/^text\/plain/);
    expect(r.text.endsWith('\n'), 'in the Prometheus text format every line ends with a line feed, the last one too').toBe(true);
    const { types, helps, samples } = parseProm(r.text);
    const want = {
      batcher_queue_depth: 'gauge',
      batcher_batch_size: 'histogram',
      batcher_request_duration_seconds: 'histogram',
      batcher_requests_total: 'counter',
    };
    for (const [name, type] of Object.entries(want)) {
      expect(types.get(name), `expected "# TYPE ${name} ${type}"`).toBe(type);
    }
    for (const name of types.keys()) {
      expect(helps.has(name), `the family ${name} needs a "# HELP ${name} <what it measures>" line`).toBe(true);
      expect(
        samples.some((x) => x.name === name || x.name.startsWith(`${name}_`)),
        `the family ${name} has a # TYPE line but no sample`,
      ).toBe(true);
    }
    checkHistogram(samples, 'batcher_batch_size');
    checkHistogram(samples, 'batcher_request_duration_seconds');
  });

  test('/metrics counts agree with the traffic the check sent', async () => {
    const s = await startServer({ maxBatchSize: 4, maxWaitMs: 20 });
    const wave1 = await Promise.all(Array.from({ length: 8 }, (_, i) => s.infer(`m-${i}`)));
    const wave2 = await Promise.all(['n-0', 'n-1'].map((x) => s.infer(x)));
    expect([...wave1, ...wave2].every((r) => r.status === 200)).toBe(true);
    const invalid = await s.infer(7);
    expect(invalid.status, because('validate', `the input 7, which the model's validate() rejects, got ${invalid.status}: ${invalid.text}; expected 400`)).toBe(400);
    expect((await request(s.port, { raw: '{"input":"x"}', headers: { 'content-type': 'text/plain' }, agent: s.agent })).status).toBe(415);

    const { samples } = parseProm((await s.get('/metrics')).text);
    const byStatus = (st: string) => one(samples, 'batcher_requests_total', { status: st });
    expect(byStatus('200'), because('requests-total', `batcher_requests_total{status="200"} is ${shown(byStatus('200'))}; expected 10 (10 requests succeeded)`)).toBe(10);
    expect(byStatus('400'), because('requests-total', `batcher_requests_total{status="400"} is ${shown(byStatus('400'))}; expected 1 (1 request was invalid)`)).toBe(1);
    expect(byStatus('415'), because('requests-total', `batcher_requests_total{status="415"} is ${shown(byStatus('415'))}; expected 1 (1 request had the wrong content type)`)).toBe(1);
    const batches = s.model.batches;
    const sizes = `the model ran ${batches.length} batches, of sizes ${batches.map((b) => b.length).join(', ')}`;
    expect(one(samples, 'batcher_batch_size_count'), because('batch-histogram', `batcher_batch_size_count is ${shown(one(samples, 'batcher_batch_size_count'))}; expected ${batches.length}: ${sizes}`)).toBe(batches.length);
    expect(one(samples, 'batcher_batch_size_sum'), because('batch-histogram', `batcher_batch_size_sum is ${shown(one(samples, 'batcher_batch_size_sum'))}; expected 10 (the batches held 10 requests in all)`)).toBe(10);
    for (const le of ['1', '2', '4']) {
      const expected = batches.filter((b) => b.length <= Number(le)).length;
      const got = one(samples, 'batcher_batch_size_bucket', { le });
      expect(got, because('batch-histogram', `batcher_batch_size_bucket{le="${le}"} is ${shown(got)}; expected ${expected}, the batches of size <= ${le} (${sizes})`)).toBe(expected);
    }
    const durations = one(samples, 'batcher_request_duration_seconds_count');
    expect(durations, because('requests-total', `batcher_request_duration_seconds_count is ${shown(durations)}; expected 12 (12 POST /v1/infer requests were answered)`)).toBe(12);
    // every answer took well under a second: the durations are in seconds
    const under10 = one(samples, 'batcher_request_duration_seconds_bucket', { le: '10' });
    expect(under10, `batcher_request_duration_seconds_bucket{le="10"} is ${shown(under10)}; expected 12: each of the 12 answers took far less than 10 s (observe seconds, not ms)`).toBe(12);
    const durationSum = one(samples, 'batcher_request_duration_seconds_sum') ?? NaN;
    expect(durationSum > 0 && durationSum < 12, `batcher_request_duration_seconds_sum is ${durationSum}; expected the total of 12 short latencies, in seconds (more than 0, well under 12)`).toBe(true);
    expect(one(samples, 'batcher_queue_depth'), because('queue-depth', `batcher_queue_depth is ${shown(one(samples, 'batcher_queue_depth'))} when every request has been answered; expected 0`)).toBe(0);

    // a second server, whose model is blocked: one full batch in the model, one request queued
    const t = await startServer({ maxBatchSize: 4, maxWaitMs: 1000 });
    t.model.block();
    const held = ['h0', 'h1', 'h2', 'h3', 'h4'].map((x) => t.infer(x));
    await untilFirstBatch(t, ['h0', 'h1', 'h2', 'h3'], { queued: 1 });
    const during = parseProm((await t.get('/metrics')).text).samples;
    expect(
      one(during, 'batcher_queue_depth'),
      because('queue-depth', `batcher_queue_depth is ${shown(one(during, 'batcher_queue_depth'))} while 1 request waits behind a blocked batch of 4; expected 1 (the batch in the model is not queued)`),
    ).toBe(1);
    t.model.unblock();
    await Promise.all(held);
  });
});
