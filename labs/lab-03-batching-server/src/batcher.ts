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

export class Batcher {
  private readonly opts: BatcherOptions;
  // TODO: the state you need, e.g. the queue of pending requests (input, arrival time, how to settle it,
  // its timeout timer, whether it is still queued), the number of batches in flight, ONE deadline timer,
  // a "flushing" flag for drain(), and the callbacks waiting for drain() to finish.

  constructor(opts: BatcherOptions) {
    this.opts = opts;
  }

  /** Requests waiting in the queue (accepted, not yet dispatched). */
  get queueDepth(): number {
    throw new Error('TODO: Batcher.queueDepth');
  }

  /** Batches currently running in the model. */
  get inflightBatches(): number {
    throw new Error('TODO: Batcher.inflightBatches');
  }

  /** A hint for the Retry-After header: roughly how long until the queue has room, in whole seconds (>= 1). */
  retryAfterSeconds(): number {
    throw new Error('TODO: Batcher.retryAfterSeconds');
  }

  /**
   * Enqueues one input and returns its ticket, or returns undefined WITHOUT queueing when maxQueue
   * requests are already waiting.
   *
   * TODO:
   * 1. refuse when the queue is full;
   * 2. create the pending entry and a promise for its Outcome (settle it at most once);
   * 3. start its requestTimeoutMs timer: if it fires while the request is still QUEUED, remove it
   *    and settle 504 (it must never reach the model);
   * 4. push it and try to dispatch (the queue may now hold a full batch);
   * 5. cancel(): if still queued, remove it and settle 499 ("client closed request").
   */
  submit(input: unknown): Ticket | undefined {
    throw new Error('TODO: Batcher.submit');
  }

  /** Dispatches everything still queued without waiting for maxWaitMs, and resolves once the queue is empty and no batch runs. */
  drain(): Promise<void> {
    throw new Error('TODO: Batcher.drain');
  }

  // TODO: a private dispatch step ("pump") called after every change (submit, timeout, cancel,
  // batch done, timer). While fewer than maxInflightBatches batches run and the queue is not empty:
  // take up to maxBatchSize requests from the FRONT if the queue holds a full batch, or if the OLDEST
  // request has waited maxWaitMs (or we are draining); otherwise stop. Then, if requests are still
  // waiting, arm ONE timer for the oldest request's deadline: enqueuedAt + maxWaitMs. Do not restart
  // the clock when a new request arrives: that starves the oldest request under a steady stream.
  //
  // TODO: a private run(batch): count it in flight, clear the timeout timers of its requests, call
  // onBatch, await predict(inputs), check that outputs.length === inputs.length, settle request i with
  // outputs[i] (200, batchSize). If predict throws, settle THIS batch's requests with 500. Whatever
  // happens, decrement the in-flight count and pump again (in a finally).
}
