/**
 * Test harness shared by the public tests and the hidden checks (not a test file itself).
 *
 * Your code runs in a process of its own: the server you build listens there, on 127.0.0.1, and
 * the tests reach it over real sockets. The fake model stays here, on the tests' side: your code
 * gets its predict() and validate() as async functions, and every batch it sends is recorded here.
 *
 * - createFakeModel(): a recording fake model. predict() sleeps baseMs + perItemMs * batch size
 *   (20 ms + 1 ms per item by default), records every batch it is called with, can be blocked
 *   on a gate, throws on the input "boom", and its validate() accepts strings only.
 * - startServer(): createServer(...) + listen on 127.0.0.1:0 with a private keep-alive agent;
 *   everything started is closed by stopAll() (call it in afterEach).
 * - request()/infer(): real HTTP requests over loopback with node:http.
 */
import http from 'node:http';
import { expect } from 'vitest';
import { field, learner, learnerSession } from '#ailab/learner';
import type * as Server from '../src/server.ts';
import type { Model, ServerOptions } from '../src/server.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { createServer } = await learner<typeof Server>('src/server.ts');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface FakeModel {
  predict(inputs: unknown[]): Promise<unknown[]>;
  validate(input: unknown): string | null;
  /** Every batch the model was called with, in call order (recorded when predict() is called). */
  readonly batches: unknown[][];
  /** Every input the model has seen, flattened. */
  readonly seen: unknown[];
  /** Items the model has finished (resolved or thrown). */
  readonly finishedItems: number;
  /** Highest number of predict() calls running at the same time. */
  readonly maxConcurrent: number;
  /** From now on, predict() waits until unblock() before doing any work. */
  block(): void;
  unblock(): void;
}

export function createFakeModel(opts: { baseMs?: number; perItemMs?: number } = {}): FakeModel {
  const baseMs = opts.baseMs ?? 20;
  const perItemMs = opts.perItemMs ?? 1;
  const batches: unknown[][] = [];
  let running = 0;
  let maxConcurrent = 0;
  let finishedItems = 0;
  let gate: Promise<void> | undefined;
  let release: (() => void) | undefined;
  return {
    batches,
    get seen() {
      return batches.flat();
    },
    get finishedItems() {
      return finishedItems;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    block() {
      if (!gate) gate = new Promise<void>((r) => (release = r));
    },
    unblock() {
      release?.();
      gate = undefined;
      release = undefined;
    },
    validate(input) {
      return typeof input === 'string' ? null : `expected a string, got ${input === null ? 'null' : typeof input}`;
    },
    async predict(inputs) {
      batches.push([...inputs]);
      running++;
      maxConcurrent = Math.max(maxConcurrent, running);
      try {
        if (gate) await gate;
        if (inputs.some((x) => typeof x !== 'string')) throw new TypeError('fake model: every input must be a string');
        await sleep(baseMs + perItemMs * inputs.length);
        if (inputs.includes('boom')) throw new Error('fake model exploded on "boom"');
        return inputs.map((x) => `out:${String(x)}`);
      } finally {
        running--;
        finishedItems += inputs.length;
      }
    },
  };
}

/** What your createServer() gets as its model: predict() and validate() only, each an async call back to this side. */
function modelPort(model: FakeModel): Model {
  return {
    predict: (inputs) => model.predict(inputs),
    validate: (input) => model.validate(input),
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: any;
  /** Milliseconds from sending the request to the end of the response. */
  ms: number;
}

export interface RequestOptions {
  method?: string;
  path?: string;
  /** Sent as JSON with content-type application/json. */
  body?: unknown;
  /** Sent as is (set the content-type yourself). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  agent?: http.Agent | false;
  signal?: AbortSignal;
  /** Give up (reject) when no full response came within this many ms. Default 5000. */
  timeoutMs?: number;
}

/** One HTTP request to 127.0.0.1:port. Rejects on a network error (e.g. ECONNREFUSED), an abort, or no response within timeoutMs. */
export function request(port: number, o: RequestOptions = {}): Promise<Reply> {
  const payload = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
  const headers: Record<string, string> = {
    ...(o.raw === undefined && o.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(payload !== undefined ? { 'content-length': String(Buffer.byteLength(payload)) } : {}),
    ...o.headers,
  };
  const started = performance.now();
  return new Promise<Reply>((resolveReply, rejectReply) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const resolve = (r: Reply) => (clearTimeout(timer), resolveReply(r));
    const reject = (e: unknown) => (clearTimeout(timer), rejectReply(e));
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'POST', path: o.path ?? '/v1/infer', headers, agent: o.agent, signal: o.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: performance.now() - started });
        });
      },
    );
    const timeoutMs = o.timeoutMs ?? 5000;
    timer = setTimeout(() => {
      req.destroy(new Error(`no response to ${o.method ?? 'POST'} ${o.path ?? '/v1/infer'} within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('error', reject);
    req.end(payload);
  });
}

/** Your server, as the tests hold it: listen() and close() are async calls into your process (read queueDepth with Started.queueDepth()). */
export type ServerHandle = Omit<Awaited<ReturnType<typeof createServer>>, 'queueDepth'>;

export interface Started {
  server: ServerHandle;
  port: number;
  model: FakeModel;
  agent: http.Agent;
  /** POST /v1/infer {"input": input} through this server's keep-alive agent. */
  infer(input: unknown, o?: Omit<RequestOptions, 'body'>): Promise<Reply>;
  get(path: string): Promise<Reply>;
  /** server.queueDepth, read now in your process. */
  queueDepth(): Promise<number>;
}

const started: Started[] = [];

/** Creates a server around a fresh fake model (or the one given) and listens on 127.0.0.1, port 0. */
export async function startServer(
  opts: Partial<Omit<ServerOptions, 'model'>> & { model?: FakeModel; maxSockets?: number } = {},
): Promise<Started> {
  const model = opts.model ?? createFakeModel();
  const { maxSockets, model: _model, ...rest } = opts;
  const server = await createServer({ maxBatchSize: 8, maxWaitMs: 20, maxQueue: 1000, requestTimeoutMs: 5000, ...rest, model: modelPort(model) });
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxSockets ?? 64 });
  const s: Started = {
    server,
    port: 0,
    model,
    agent,
    infer: (input, o = {}) => request(s.port, { agent, ...o, body: { input } }),
    get: (path) => request(s.port, { method: 'GET', path, agent }),
    queueDepth: () => field<number>(server, 'queueDepth'),
  };
  started.push(s);
  const { port } = await server.listen(0, '127.0.0.1');
  expect(Number.isInteger(port) && port > 0 && port < 65536, 'listen() must resolve with { port } (the real port, not 0)').toBe(true);
  s.port = port;
  return s;
}

/**
 * Unblocks every model, closes every server started by startServer (bounded in time) and destroys the agents.
 * A close() that has not finished within 3 s stops the process your code runs in, so no server outlives its test;
 * the next call starts a fresh one.
 */
export async function stopAll(): Promise<void> {
  const all = started.splice(0);
  for (const s of all) s.model.unblock();
  const closed = await Promise.all(
    all.map(async (s) => {
      let done = false;
      try {
        done = await Promise.race([s.server.close().then(() => true), sleep(3000).then(() => false)]);
      } catch {
        // a broken close() is reported by the test that checks it
      }
      s.agent.destroy();
      return done;
    }),
  );
  if (closed.includes(false)) learnerSession().stop();
}

/** Polls cond every 5 ms until it holds; fails with msg after timeoutMs. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, msg: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${msg}`);
    await sleep(5);
  }
}
