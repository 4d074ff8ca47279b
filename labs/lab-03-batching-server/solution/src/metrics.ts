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
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = [...bounds].sort((a, b) => a - b);
    this.counts = this.bounds.map(() => 0);
  }

  /** Records one observation. */
  observe(value: number): void {
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]) this.counts[i]++;
    }
    this.sum += value;
    this.count++;
  }

  /** The sample lines of this histogram: `<name>_bucket{le="..."}` (cumulative, ending with +Inf), `<name>_sum`, `<name>_count`. */
  render(name: string): string[] {
    const lines = this.bounds.map((b, i) => `${name}_bucket{le="${b}"} ${this.counts[i]}`);
    lines.push(`${name}_bucket{le="+Inf"} ${this.count}`);
    lines.push(`${name}_sum ${this.sum}`);
    lines.push(`${name}_count ${this.count}`);
    return lines;
  }
}

/** Every metric the server exports. */
export class Metrics {
  readonly batchSize = new Histogram(BATCH_SIZE_BUCKETS);
  readonly latency = new Histogram(LATENCY_BUCKETS);
  private readonly byStatus = new Map<number, number>();

  /** Counts one answered POST /v1/infer request: its status and how long it took, in seconds. */
  countRequest(status: number, seconds: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    this.latency.observe(seconds);
  }

  /** Records one batch handed to the model. */
  countBatch(size: number): void {
    this.batchSize.observe(size);
  }

  /** The whole exposition text, ending with a newline. */
  render(gauges: { queueDepth: number; inflightBatches: number }): string {
    const out: string[] = [
      '# HELP batcher_queue_depth Requests accepted and waiting in the queue (not yet dispatched).',
      '# TYPE batcher_queue_depth gauge',
      `batcher_queue_depth ${gauges.queueDepth}`,
      '# HELP batcher_inflight_batches Batches currently running in the model.',
      '# TYPE batcher_inflight_batches gauge',
      `batcher_inflight_batches ${gauges.inflightBatches}`,
      '# HELP batcher_batch_size Number of requests in each batch sent to the model.',
      '# TYPE batcher_batch_size histogram',
      ...this.batchSize.render('batcher_batch_size'),
      '# HELP batcher_request_duration_seconds Time from the arrival of a POST /v1/infer request to its response.',
      '# TYPE batcher_request_duration_seconds histogram',
      ...this.latency.render('batcher_request_duration_seconds'),
      '# HELP batcher_requests_total Answered POST /v1/infer requests, by HTTP status.',
      '# TYPE batcher_requests_total counter',
    ];
    for (const [status, n] of [...this.byStatus].sort((a, b) => a[0] - b[0])) {
      out.push(`batcher_requests_total{status="${status}"} ${n}`);
    }
    return out.join('\n') + '\n';
  }
}
