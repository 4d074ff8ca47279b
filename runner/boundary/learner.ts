// The checks' side of the process boundary: `learner()` gives a check the lab's modules, whose
// code runs in the learner process (spawn.ts, host.ts) and is reached over the RPC (runner/rpc).
// Every call is async. Trusted code (a lab author's own solution, verify's runs) may run through an
// in-process peer instead (AILAB_BOUNDARY=in-process): the same calls, copies and errors, with the
// modules loaded by vitest itself, so coverage and mutation tools can instrument them.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createChannel, type Channel, type Remoted } from '../rpc/channel.ts';
import { isPeerError } from '../rpc/codec.ts';
import { RpcClosedError } from '../rpc/errors.ts';
import { bindChildProcess } from '../rpc/stream.ts';
import { exposeModules, type ExportInfo, type LearnerExposed } from './expose.ts';
import type { LearnerPolicy } from './policy.ts';
import { spawnLearner } from './spawn.ts';

type AnyClass = abstract new (...args: any[]) => any;

/** A class's static methods, made async. */
type Statics<C> = { [K in keyof C as C[K] extends (...args: any[]) => any ? K : never]: C[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Remoted<Awaited<R>>> : never };

/** A lab module as the checks see it: functions and methods are async, classes construct to a Promise of a handle. */
export type Learner<T> = {
  [K in keyof T]: T[K] extends abstract new (...args: any[]) => Error
    ? T[K]
    : T[K] extends abstract new (...args: infer A) => infer I
      ? (new (...args: A) => Promise<Remoted<I>>) & Statics<T[K]>
      : T[K] extends (...args: infer A) => infer R
        ? (...args: A) => Promise<Remoted<Awaited<R>>>
        : T[K];
};

/** Learner code ended its own process (exit, crash, out of memory) during a call. */
export class LearnerProcessError extends Error {
  override name = 'LearnerProcessError';
  readonly code = 'E_LEARNER_PROCESS';
}

/** Loading a learner module took longer than a check may. */
export class LearnerTimeoutError extends Error {
  override name = 'LearnerTimeoutError';
  readonly code = 'E_LEARNER_TIMEOUT';
}

interface Peer {
  channel: Channel<LearnerExposed>;
  child?: ChildProcess;
  scratch?: string;
  exit?: string;
  /** Settles when the process has exited. */
  exited?: Promise<void>;
}

/** One peer at a time; after a hang or a death the next call starts a fresh one. */
class Session {
  private peer: Peer | undefined;
  /** Local stand-ins for the learner's error classes, so `toThrow(RagError)` works on rebuilt errors. */
  readonly errorClasses: Record<string, AnyClass> = {};

  private readonly root = resolve(process.env.AILAB_RUN_ROOT ?? '.');
  private readonly trusted = process.env.AILAB_BOUNDARY === 'in-process';

  private policy(): LearnerPolicy {
    return JSON.parse(readFileSync(resolve(this.root, '.ailab-learner/policy.json'), 'utf8')) as LearnerPolicy;
  }

  private start(): Peer {
    if (this.trusted) {
      const labDir = resolve(this.root, process.env.AILAB_LAB_DIR ?? '.');
      const exposed = exposeModules(async (file) => (await import(/* @vite-ignore */ pathToFileURL(resolve(labDir, file)).href)) as Record<string, unknown>);
      let toChecks: (text: string) => void = () => {};
      let toLearner: (text: string) => void = () => {};
      createChannel({ expose: exposed as never, post: (t) => queueMicrotask(() => toChecks(t)), on: (l) => (toLearner = l), timeoutMs: Infinity });
      const channel = createChannel<LearnerExposed>({
        post: (t) => queueMicrotask(() => toLearner(t)),
        on: (l) => (toChecks = l),
        timeoutMs: Infinity,
        errorClasses: this.errorClasses as never,
      });
      return { channel };
    }
    const heapMb = Number(process.env.AILAB_LEARNER_HEAP_MB) || 256;
    const uid = process.env.AILAB_LEARNER_UID ? Number(process.env.AILAB_LEARNER_UID) : undefined;
    const { child, scratch } = spawnLearner({ root: this.root, policy: this.policy(), heapMb, uid });
    const peer: Peer = { channel: undefined as never, child, scratch };
    peer.channel = bindChildProcess<LearnerExposed>(child, { timeoutMs: Infinity, errorClasses: this.errorClasses as never });
    let onExit: () => void = () => {};
    peer.exited = new Promise<void>((done) => (onExit = done));
    const memory = process.env.AILAB_MEMORY_MB ? `limits.memory_mb = ${process.env.AILAB_MEMORY_MB} MB, of which your code's heap may use ${heapMb} MB` : `a heap of ${heapMb} MB`;
    child.once('exit', (code, signal) => {
      peer.exit = signal
        ? signal === 'SIGABRT'
          ? `it ran out of memory (${memory})`
          : signal === 'SIGKILL'
            ? `it was killed (SIGKILL), most likely because it ran out of memory (${memory})`
            : `it was killed by ${signal}`
        : `it exited with code ${code} (does the code call process.exit()?)`;
      onExit();
    });
    return peer;
  }

  private current(): Peer {
    if (!this.peer || this.peer.channel.closedReason) {
      this.stop();
      this.peer = this.start();
    }
    return this.peer;
  }

  /** Calls the learner side; a peer's error keeps its own stack, a dead process is one clear error. */
  async call<K extends keyof LearnerExposed>(method: K, ...args: Parameters<LearnerExposed[K]>): Promise<unknown> {
    const peer = this.current();
    try {
      return await (peer.channel.call as (m: string, ...a: unknown[]) => Promise<unknown>)(method, ...args);
    } catch (error) {
      // The pipe can close a moment before the exit is reported: wait for it, briefly, to say why.
      if (error instanceof RpcClosedError && peer.child && !peer.exit) await Promise.race([peer.exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      throw this.explain(error, peer);
    }
  }

  private explain(error: unknown, peer: Peer): unknown {
    if (error instanceof RpcClosedError && peer.child) {
      const why = peer.exit ?? 'it stopped answering';
      return new LearnerProcessError(`The process running your code ended during this check: ${why}. The next check starts it afresh.`);
    }
    if (error instanceof Error && isPeerError(error)) {
      const remote = (error as { remoteStack?: string }).remoteStack;
      const frames = remote?.split('\n').filter((l) => /^\s+at /.test(l)) ?? [];
      if (frames.length > 0) Object.defineProperty(error, 'stack', { value: `${error.name}: ${error.message}\n${frames.join('\n')}`, configurable: true, writable: true });
    }
    return error;
  }

  /** A local class standing in for the learner's error class `name`. */
  errorClass(name: string): AnyClass {
    let Cls = this.errorClasses[name];
    if (!Cls) {
      Cls = { [name]: class extends Error {} }[name];
      Object.defineProperty(Cls.prototype, 'name', { value: name, writable: true, configurable: true });
      this.errorClasses[name] = Cls;
    }
    return Cls;
  }

  /** After each check: a call still running (a hang) means the learner process is replaced. */
  afterCheck(): void {
    // Any call still waiting: to a module function, or through a handle or callback it returned.
    if (this.peer && this.peer.channel.pendingCalls > 0) {
      this.stop();
    }
  }

  /** Stops the learner process (if any) and removes its scratch folder. */
  stop(): void {
    const peer = this.peer;
    this.peer = undefined;
    if (!peer) return;
    peer.channel.close('the learner process was stopped');
    if (peer.child && peer.child.exitCode === null) peer.child.kill('SIGKILL');
    if (peer.scratch) rmSync(peer.scratch, { recursive: true, force: true });
  }
}

let session: Session | undefined;

/** The worker's one session. */
export function learnerSession(): Session {
  session ??= new Session();
  return session;
}

process.once('exit', () => session?.stop());

/** Which learner function a proxy calls, for inspectCall(). */
const origins = new WeakMap<object, { file: string; name: string }>();

function describeKind(info: ExportInfo, file: string, s: Session): unknown {
  switch (info.kind) {
    case 'function': {
      const fn = (...args: unknown[]) => s.call('invoke', file, info.name, ...args);
      Object.defineProperty(fn, 'name', { value: info.name });
      origins.set(fn, { file, name: info.name });
      return fn;
    }
    case 'class': {
      // `new Cls(...)` returns a Promise of the handle: a constructor may return any object.
      const Cls = function (this: unknown, ...args: unknown[]) {
        if (!new.target) throw new TypeError(`${info.name} is a class: call it with new`);
        return s.call('create', file, info.name, ...args);
      };
      Object.defineProperty(Cls, 'name', { value: info.name });
      for (const method of info.statics ?? []) {
        Object.defineProperty(Cls, method, { value: (...args: unknown[]) => s.call('invoke', file, `${info.name}.${method}`, ...args), enumerable: true });
      }
      return Cls;
    }
    case 'error-class':
      return s.errorClass(info.name);
    case 'value':
      return info.value;
    default:
      return undefined;
  }
}

/**
 * The lab module at `file` (relative to the lab folder, e.g. `src/similarity.ts`), with its code
 * in the learner process. Type it with a type-only import: `learner<typeof Sim>('src/similarity.ts')`.
 */
export async function learner<T>(file: string): Promise<Learner<T>> {
  const s = learnerSession();
  // Loading runs before any check, so no per-check limit covers it: it gets one of its own.
  const limitMs = Number(process.env.AILAB_TEST_TIMEOUT_MS) || 10_000;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      s.stop();
      reject(new LearnerTimeoutError(`Loading ${file} took longer than the per-test limit of ${limitMs / 1000} s (limits.test_timeout_s): look for a loop that never ends, or a promise that never settles, in code that runs when the module loads.`));
    }, limitMs);
  });
  const exports = (await Promise.race([s.call('describe', file), late]).finally(() => clearTimeout(timer))) as ExportInfo[];
  const out: Record<string, unknown> = {};
  for (const info of exports) {
    if (info.kind === 'opaque') {
      Object.defineProperty(out, info.name, {
        enumerable: true,
        get: () => {
          throw new TypeError(`${file} exports ${info.name}, which is neither a function, a class nor plain data, so the checks cannot reach it`);
        },
      });
    } else out[info.name] = describeKind(info, file, s);
  }
  return out as Learner<T>;
}

/**
 * Calls a learner function and also gets back its arguments as they are after the call, in the
 * learner process: arguments cross as copies, so this is how a check sees whether code changed them.
 */
export async function inspectCall<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<{ result: R; args: A }> {
  const origin = origins.get(fn);
  if (!origin) throw new TypeError('inspectCall() takes a function that learner() returned');
  return (await learnerSession().call('inspect', origin.file, origin.name, ...args)) as { result: R; args: A };
}

/** Reads a field or getter of a handle (a handle carries method calls only): `await field(index, 'size')`. */
export async function field<T = unknown>(handle: object, key: string): Promise<T> {
  return (await learnerSession().call('field', handle, key)) as T;
}

/**
 * Calls a handle's method once per list of arguments, in order, in one round trip: for a check that
 * feeds an object many values (`callEach(detector, 'update', xs.map((x) => [x]))`).
 */
export async function callEach<T = unknown>(handle: object, method: string, calls: unknown[][]): Promise<T[]> {
  return (await learnerSession().call('each', handle, method, calls)) as T[];
}
