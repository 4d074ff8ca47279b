/**
 * The dynamic batcher: a FIFO queue in front of a model whose cost per batch is mostly fixed.
 *
 *   submit() ──► queue ──(full, or the OLDEST waited maxWaitMs)──► predict(batch) ──► settle each ticket
 *
 * Rules (the same as Triton's dynamic batcher and Ray Serve's @serve.batch):
 * - a batch leaves when it reaches maxBatchSize, or when the oldest queued request has waited maxWaitMs;
 * - at most maxInflightBatches batches run in the model at once (default 1);
 * - past maxQueue waiting requests, submit() refuses at once (the server answers 429);
 * - a request still queued after requestTimeoutMs is removed and gets 504: it never reaches the model;
 * - a cancelled request (its client went away) is removed from the queue.
 */

/** The model's batch entry point: one output per input, same length, same order. */
export type Predict = (inputs: unknown[]) => Promise<unknown[]>;

export interface BatcherOptions {
  predict: Predict;
  maxBatchSize: number;
  maxWaitMs: number;
  maxQueue: number;
  requestTimeoutMs: number;
  maxInflightBatches: number;
  /** Called once per batch handed to the model, with its size (for the metrics). */
  onBatch?: (size: number) => void;
}

/** How a request ended. 200 carries the output and the size of the batch it rode in. */
export type Outcome =
  | { status: 200; output: unknown; batchSize: number }
  | { status: 499 | 500 | 504; error: string };

/** An accepted request: its outcome, and a way to withdraw it. */
export interface Ticket {
  readonly result: Promise<Outcome>;
  /** Withdraws the request if it is still queued (its client disconnected). No effect once dispatched. */
  cancel(): void;
}

interface Pending {
  input: unknown;
  enqueuedAt: number;
  state: 'queued' | 'dispatched' | 'done';
  timer?: ReturnType<typeof setTimeout>;
  settle(outcome: Outcome): void;
}

export class Batcher {
  private readonly opts: BatcherOptions;
  private readonly queue: Pending[] = [];
  private inflight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing = false;
  private lastBatchMs = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: BatcherOptions) {
    this.opts = opts;
  }

  /** Requests waiting in the queue (accepted, not yet dispatched). */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Batches currently running in the model. */
  get inflightBatches(): number {
    return this.inflight;
  }

  /** A hint for the Retry-After header: roughly how long until the queue has room, in whole seconds (>= 1). */
  retryAfterSeconds(): number {
    const batchesAhead = Math.ceil(this.queue.length / this.opts.maxBatchSize) + this.inflight;
    const perBatchMs = this.lastBatchMs || this.opts.maxWaitMs || 1;
    return Math.max(1, Math.ceil((batchesAhead * perBatchMs) / 1000));
  }

  /** Enqueues one input. Returns undefined, without queueing, when maxQueue requests are already waiting. */
  submit(input: unknown): Ticket | undefined {
    if (this.queue.length >= this.opts.maxQueue - 1) return undefined; // leave room for the incoming one
    let settle!: (o: Outcome) => void;
    const result = new Promise<Outcome>((resolve) => (settle = resolve));
    const p: Pending = {
      input,
      enqueuedAt: performance.now(),
      state: 'queued',
      settle: (o) => {
        if (p.state === 'done') return;
        p.state = 'done';
        if (p.timer) clearTimeout(p.timer);
        settle(o);
      },
    };
    p.timer = setTimeout(() => {
      if (p.state !== 'queued') return;
      this.remove(p);
      p.settle({ status: 504, error: `timed out after ${this.opts.requestTimeoutMs} ms in the queue` });
      this.pump();
    }, this.opts.requestTimeoutMs);
    this.queue.push(p);
    this.pump();
    return {
      result,
      cancel: () => {
        if (p.state !== 'queued') return;
        this.remove(p);
        p.settle({ status: 499, error: 'client closed the request' });
        this.pump();
      },
    };
  }

  /** Dispatches everything still queued without waiting for maxWaitMs, and resolves once the queue is empty and no batch runs. */
  drain(): Promise<void> {
    this.flushing = true;
    this.pump();
    if (this.queue.length === 0 && this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private remove(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Dispatches every batch that is due, then arms one timer for the oldest request's deadline. */
  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const { maxBatchSize, maxWaitMs, maxInflightBatches } = this.opts;
    while (this.inflight < maxInflightBatches && this.queue.length > 0) {
      const full = this.queue.length >= maxBatchSize;
      const waited = performance.now() - this.queue[0].enqueuedAt;
      if (!full && !this.flushing && waited < maxWaitMs) break;
      void this.run(this.queue.splice(0, maxBatchSize));
    }
    if (this.queue.length > 0 && this.inflight < maxInflightBatches) {
      // The deadline belongs to the OLDEST request: it does not move when new requests arrive.
      const delay = Math.max(0, maxWaitMs - (performance.now() - this.queue[0].enqueuedAt));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, delay);
    }
    if (this.queue.length === 0 && this.inflight === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    this.inflight++;
    for (const p of batch) {
      p.state = 'dispatched';
      if (p.timer) clearTimeout(p.timer);
    }
    this.opts.onBatch?.(batch.length);
    const started = performance.now();
    try {
      const outputs = await this.opts.predict(batch.map((p) => p.input));
      if (!Array.isArray(outputs) || outputs.length !== batch.length) {
        throw new Error(`the model returned ${Array.isArray(outputs) ? outputs.length : typeof outputs} outputs for ${batch.length} inputs`);
      }
      batch.forEach((p, i) => p.settle({ status: 200, output: outputs[i], batchSize: batch.length }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      for (const p of batch) p.settle({ status: 500, error: `the model failed on this batch: ${message}` });
    } finally {
      this.lastBatchMs = performance.now() - started;
      this.inflight--;
      this.pump();
    }
  }
}
