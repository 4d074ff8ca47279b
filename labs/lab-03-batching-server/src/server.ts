/**
 * An HTTP inference server that batches concurrent requests in front of one model.
 *
 *   POST /v1/infer   {"input": ...}  ->  200 {"output": ..., "batchSize": n}
 *   GET  /healthz                    ->  200 {"status": "ok"}   (503 {"status": "draining"} while closing)
 *   GET  /metrics                    ->  Prometheus text
 */
import http from 'node:http';
import { Batcher } from './batcher.ts';
import { Metrics } from './metrics.ts';

/** The model behind the server. */
export interface Model {
  /** Runs one batch: resolves to one output per input, same length, same order. May reject. */
  predict(inputs: unknown[]): Promise<unknown[]>;
  /** Optional: an error message for an input the model cannot take, or null when it is fine. */
  /** May answer at once or as a promise: await it either way (the graded model answers over an RPC). */
  validate?(input: unknown): string | null | Promise<string | null>;
}

export interface ServerOptions {
  model: Model;
  /** A batch never holds more requests than this. */
  maxBatchSize: number;
  /** A batch leaves at the latest when its oldest request has waited this long. */
  maxWaitMs: number;
  /** At most this many requests wait in the queue; the next one gets 429. */
  maxQueue: number;
  /** A request still queued after this long gets 504 and never reaches the model. */
  requestTimeoutMs: number;
  /** Batches running in the model at once. Default 1. */
  maxInflightBatches?: number;
  /** Largest accepted request body, in bytes. Default 65536. */
  maxBodyBytes?: number;
}

export interface BatchingServer {
  /** Starts listening (port 0 = any free port, host defaults to 127.0.0.1) and resolves with the port. */
  listen(port?: number, host?: string): Promise<{ port: number }>;
  /** Graceful shutdown: stop accepting, drain the queue, answer everyone, then close. */
  close(): Promise<void>;
  /** Requests waiting in the queue right now (accepted, not yet dispatched). */
  readonly queueDepth: number;
}

/** An error that maps to an HTTP status. */
export class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Reads a whole request body and parses it as JSON.
 *
 * TODO: collect the 'data' chunks; reject with `new HttpError(413, ...)` when the body (or its
 * declared content-length) is larger than `limit` bytes, and with `new HttpError(400, 'malformed JSON: ...')`
 * when JSON.parse fails. Tip: past the limit, keep reading but drop the bytes, and reject on 'end':
 * answering before the client finished sending can reset the connection under its feet.
 */
export function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  throw new Error('TODO: readJsonBody');
}

/**
 * Creates the server (not yet listening).
 *
 * TODO, in order (see the README tasks):
 * 1. Validate the options (positive integers; maxWaitMs >= 0); default maxInflightBatches to 1 and
 *    maxBodyBytes to 65536. Create a Metrics and a Batcher (onBatch -> metrics.countBatch).
 * 2. http.createServer with a router:
 *    - GET /healthz -> 200 {"status":"ok"} (503 {"status":"draining"} once close() was called)
 *    - GET /metrics -> 200 text/plain, metrics.render(...)
 *    - /v1/infer: any method but POST -> 405; content-type not application/json -> 415;
 *      body too large -> 413; malformed JSON, not an object, or no "input" -> 400;
 *      (await model.validate(input)) returns a message -> 400; batcher.submit() refuses -> 429 with Retry-After;
 *      otherwise await the ticket: 200 {"output", "batchSize"}, or the outcome's status with {"error"}.
 *      Count every answered /v1/infer request in the metrics (status + latency).
 *    - anything else -> 404. Every error body is JSON: {"error": "<a clear message>"}.
 * 3. Cancellation: when the response closes before you wrote it (res.on('close') and !res.writableEnded),
 *    cancel the ticket so the request leaves the queue.
 * 4. listen(port = 0, host = '127.0.0.1') resolves with the real port.
 * 5. close(): stop accepting connections (server.close), answer new requests on kept-alive sockets
 *    with 503, drain the batcher, wait for every response, then close the remaining sockets.
 *    Calling close() twice returns the same promise.
 */
export function createServer(options: ServerOptions): BatchingServer {
  throw new Error('TODO: createServer');
}

// Referenced by the TODOs above; remove these lines once you use them.
void Batcher;
void Metrics;
