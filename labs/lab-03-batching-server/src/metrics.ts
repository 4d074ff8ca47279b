/**
 * Prometheus text exposition (format 0.0.4) for the batching server, with no dependencies.
 *
 *   # HELP batcher_queue_depth Requests accepted and waiting in the queue (not yet dispatched).
 *   # TYPE batcher_queue_depth gauge
 *   batcher_queue_depth 3
 *
 * A histogram is a set of CUMULATIVE counters: the bucket `le="4"` counts every observation <= 4,
 * so the counts never decrease from one bucket to the next, and `le="+Inf"` equals `_count`.
 */

/** Bucket bounds of the batch-size histogram. */
export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128];
/** Bucket bounds (seconds) of the request-latency histogram. */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A Prometheus histogram: cumulative buckets, a sum and a count. */
export class Histogram {
  readonly bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.bounds = [...bounds].sort((a, b) => a - b);
    // TODO: keep one counter per bound, plus a running sum and a count.
  }

  /** Records one observation. */
  observe(value: number): void {
    // TODO: count `value` in EVERY bucket whose bound is >= value (buckets are cumulative),
    // and add it to the sum and the count.
    throw new Error('TODO: Histogram.observe');
  }

  /**
   * The sample lines of this histogram, in this order:
   *   <name>_bucket{le="1"} 0        one line per bound, cumulative counts
   *   <name>_bucket{le="+Inf"} 7     the last bucket is +Inf and equals _count
   *   <name>_sum 19
   *   <name>_count 7
   */
  render(name: string): string[] {
    throw new Error('TODO: Histogram.render');
  }
}

/** Every metric the server exports. */
export class Metrics {
  readonly batchSize = new Histogram(BATCH_SIZE_BUCKETS);
  readonly latency = new Histogram(LATENCY_BUCKETS);

  /** Counts one answered POST /v1/infer request (any status): its status and how long it took, in seconds. */
  countRequest(status: number, seconds: number): void {
    // TODO: increment the counter for this status, and observe `seconds` in the latency histogram.
    throw new Error('TODO: Metrics.countRequest');
  }

  /** Records one batch handed to the model. */
  countBatch(size: number): void {
    throw new Error('TODO: Metrics.countBatch');
  }

  /**
   * The whole exposition text, ending with a newline. Each family gets `# HELP` and `# TYPE` lines
   * before its samples:
   *   batcher_queue_depth                  gauge      (gauges.queueDepth)
   *   batcher_inflight_batches             gauge      (gauges.inflightBatches; optional but useful)
   *   batcher_batch_size                   histogram  (one observation per batch)
   *   batcher_request_duration_seconds     histogram  (one observation per answered POST /v1/infer)
   *   batcher_requests_total{status="200"} counter    (one line per status seen)
   */
  render(gauges: { queueDepth: number; inflightBatches: number }): string {
    throw new Error('TODO: Metrics.render');
  }
}
