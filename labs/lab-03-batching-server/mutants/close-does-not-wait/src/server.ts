/**
 * An HTTP inference server that batches concurrent requests in front of one model.
 *
 *   POST /v1/infer   {"input": ...}  ->  200 {"output": ..., "batchSize": n}
 *   GET  /healthz                    ->  200 {"status": "ok"}   (503 {"status": "draining"} while closing)
 *   GET  /metrics                    ->  Prometheus text
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
 * Rejects with HttpError 413 when the body is larger than `limit` bytes, and 400 when it is not valid JSON.
 */
export function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk); // past the limit: keep reading, but drop the bytes
    });
    req.on('error', (err) => reject(err));
    req.on('end', () => {
      if (size > limit || declared > limit) {
        reject(new HttpError(413, `request body is larger than ${limit} bytes`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(new HttpError(400, `malformed JSON: ${(err as Error).message}`));
      }
    });
  });
}

function positiveInt(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function createServer(options: ServerOptions): BatchingServer {
  const { model } = options;
  const maxBatchSize = positiveInt('maxBatchSize', options.maxBatchSize);
  const maxQueue = positiveInt('maxQueue', options.maxQueue);
  const requestTimeoutMs = positiveInt('requestTimeoutMs', options.requestTimeoutMs);
  const maxInflightBatches = positiveInt('maxInflightBatches', options.maxInflightBatches ?? 1);
  const maxBodyBytes = positiveInt('maxBodyBytes', options.maxBodyBytes ?? 65536);
  if (typeof options.maxWaitMs !== 'number' || !(options.maxWaitMs >= 0)) {
    throw new RangeError(`maxWaitMs must be a number >= 0, got ${String(options.maxWaitMs)}`);
  }

  const metrics = new Metrics();
  const batcher = new Batcher({
    predict: (inputs) => model.predict(inputs),
    maxBatchSize,
    maxWaitMs: options.maxWaitMs,
    maxQueue,
    requestTimeoutMs,
    maxInflightBatches,
    onBatch: (size) => metrics.countBatch(size),
  });

  let closing: Promise<void> | undefined;
  const handlers = new Set<Promise<void>>();

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain; version=0.0.4; charset=utf-8' : 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...(closing ? { connection: 'close' } : {}),
      ...headers,
    });
    res.end(text);
  }

  async function infer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      metrics.countRequest(status, (performance.now() - started) / 1000);
      send(res, status, body, headers);
    };
    if (req.method !== 'POST') {
      req.resume();
      return reply(405, { error: `${req.method} is not allowed on /v1/infer; use POST` }, { allow: 'POST' });
    }
    if (closing) {
      req.resume();
      return reply(503, { error: 'the server is shutting down' });
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      req.resume();
      return reply(415, { error: `content-type must be application/json, got ${type ? JSON.stringify(type) : 'none'}` });
    }
    let body: unknown;
    try {
      body = await readJsonBody(req, maxBodyBytes);
    } catch (err) {
      if (err instanceof HttpError) return reply(err.status, { error: err.message });
      return; // the client went away while sending its body
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !('input' in body)) {
      return reply(400, { error: 'the body must be a JSON object with an "input" field' });
    }
    const input = (body as { input: unknown }).input;
    const invalid = await model.validate?.(input);
    if (invalid) return reply(400, { error: `invalid input: ${invalid}` });
    if (closing) return reply(503, { error: 'the server is shutting down' });

    const ticket = batcher.submit(input);
    if (!ticket) {
      return reply(429, { error: `the queue is full (${maxQueue} waiting); retry later` }, { 'retry-after': String(batcher.retryAfterSeconds()) });
    }
    res.on('close', () => {
      if (!res.writableEnded) ticket.cancel();
    });
    const outcome = await ticket.result;
    if (outcome.status === 200) return reply(200, { output: outcome.output, batchSize: outcome.batchSize });
    return reply(outcome.status, { error: outcome.error });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/v1/infer') return infer(req, res);
    req.resume();
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      return closing ? send(res, 503, { status: 'draining' }) : send(res, 200, { status: 'ok' });
    }
    if (path === '/metrics' && req.method === 'GET') {
      return send(res, 200, metrics.render({ queueDepth: batcher.queueDepth, inflightBatches: batcher.inflightBatches }));
    }
    if (path === '/healthz' || path === '/metrics') return send(res, 405, { error: `${req.method} is not allowed on ${path}` }, { allow: 'GET' });
    return send(res, 404, { error: `no route for ${req.method} ${path}` });
  }

  const server = http.createServer((req, res) => {
    const h = handle(req, res).catch((err) => send(res, 500, { error: `internal error: ${(err as Error).message}` }));
    handlers.add(h);
    void h.finally(() => handlers.delete(h));
  });

  return {
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
    },
    close() {
      if (!closing) {
        // stop accepting and start the drain, but do not wait for either
        closing = Promise.resolve();
        server.close();
        server.closeIdleConnections();
        void batcher.drain();
      }
      return closing;
    },
    get queueDepth() {
      return batcher.queueDepth;
    },
  };
}
