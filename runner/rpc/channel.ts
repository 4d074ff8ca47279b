/**
 * A typed, two-way RPC channel over any text transport, built on birpc. Each side exposes
 * functions; values cross through the codec; a missing reply is a timeout, a dead peer fails
 * every pending call at once, and nothing the peer sends can run anything on this side but
 * what this side exposed or handed out.
 */
import { createBirpc } from 'birpc';
import { DEFAULT_LIMITS, decode, encode, type CodecLimits, type ErrorClasses, type Wire } from './codec.ts';
import {
  peerRpcErrorClasses,
  RpcClosedError,
  RpcEncodeError,
  RpcError,
  RpcProtocolError,
  RpcTimeoutError,
  RpcUnknownMethodError,
} from './errors.ts';
import { LocalRefs, RemoteRefs } from './refs.ts';

/** The default largest message, either way: 32 MiB of JSON text. */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

type AnyFn = (...args: any[]) => any;

/** What a side may expose: functions (and classes, for construct()), by name. */
export type Exposed = Record<string, AnyFn | (abstract new (...args: any[]) => unknown)>;

/** A value as it arrives from the other side: functions and methods become async. */
export type Remoted<T> = T extends null | undefined | boolean | number | string | bigint | Date | RegExp | Error | ArrayBuffer | ArrayBufferView
  ? T
  : T extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Remoted<Awaited<R>>>
    : T extends Map<infer K, infer V>
      ? Map<Remoted<K>, Remoted<V>>
      : T extends Set<infer V>
        ? Set<Remoted<V>>
        : T extends readonly (infer E)[]
          ? Remoted<E>[]
          : T extends object
            ? { [K in keyof T]: Remoted<T[K]> }
            : T;

type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : F extends abstract new (...args: infer A) => unknown ? A : unknown[];
type ResultOf<F> = F extends (...args: any[]) => infer R ? Remoted<Awaited<R>> : unknown;
type InstanceOf<F> = F extends abstract new (...args: any[]) => infer I ? Remoted<I> : unknown;

/** Options of createChannel(). */
export interface ChannelOptions {
  /** The functions the peer may call. Names may not start with "$" (the channel's own methods). */
  expose?: Exposed;
  /** Sends one message (a JSON text) to the peer. */
  post: (text: string) => void;
  /** Registers the listener for the peer's messages. */
  on: (listener: (text: string) => void) => void;
  /** A call whose reply takes longer fails with RpcTimeoutError; Infinity waits for ever. */
  timeoutMs: number;
  /** Custom error classes the peer's errors may be rebuilt as, by class name: `{ RagError }`.
   * Read at each message, so a class added to this object later is found from then on. */
  errorClasses?: ErrorClasses;
  /** Told once, with the reason, when the channel closes. */
  onClose?: (reason: Error) => void;
  /** Told of each message from the peer that was rejected without closing the channel. */
  onProtocolError?: (error: RpcProtocolError) => void;
  /** Bounds on values and messages, both ways. */
  limits?: Partial<CodecLimits & { maxMessageBytes: number }>;
}

/** A channel: call the peer's functions, construct its classes, close. */
export interface Channel<Remote = Exposed> {
  /** Calls the peer's function `name`; resolves with its decoded result, rejects with its decoded error. */
  call<K extends keyof Remote & string>(name: K, ...args: ArgsOf<Remote[K]>): Promise<ResultOf<Remote[K]>>;
  /** Runs `new name(...args)` on the peer; resolves with a handle to the instance. */
  construct<K extends keyof Remote & string>(name: K, ...args: ArgsOf<Remote[K]>): Promise<InstanceOf<Remote[K]>>;
  /** Closes the channel: every pending call fails with RpcClosedError, every reference is let go. Idempotent. */
  close(reason?: string | Error): void;
  /** Why the channel closed, or undefined while it is open. */
  readonly closedReason: Error | undefined;
  /** Calls to the peer (functions, handles' methods, callbacks) still waiting for their reply. */
  readonly pendingCalls: number;
}

/** A thrown value, encoded, on its way into a reply (birpc posts it as the reply's error). */
class Thrown {
  constructor(readonly wire: Wire) {}
}

/** The error field of a reply from the peer, before it is decoded. */
class PeerThrown {
  constructor(readonly wire: unknown) {}
}

type Message = { t: 'q'; i?: string; m: string; a: unknown[] } | { t: 's'; i: string; r?: unknown; e?: unknown };

/** birpc ids are never empty: a reply to "" is dropped without a trace. */
const INERT: Message = { t: 's', i: '' };

function cut(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function checkTimeout(timeoutMs: number): number {
  if (timeoutMs === Infinity) return -1;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) {
    throw new TypeError(`timeoutMs must be a whole number of milliseconds from 1 to ${2 ** 31 - 1}, or Infinity; got ${timeoutMs}`);
  }
  return timeoutMs;
}

function checkExposed(expose: Exposed): Map<string, Exposed[string]> {
  const out = new Map<string, Exposed[string]>();
  for (const name of Object.keys(expose)) {
    if (name.startsWith('$')) throw new TypeError(`exposed name "${name}" may not start with "$": those are the channel's own methods`);
    const fn = expose[name];
    if (typeof fn !== 'function') throw new TypeError(`exposed "${name}" is a ${typeof fn}, not a function`);
    out.set(name, fn);
  }
  return out;
}

/** Creates a channel over a text transport (see stream.ts for streams and child processes). */
export function createChannel<Remote = Exposed>(options: ChannelOptions): Channel<Remote> {
  const limits = { ...DEFAULT_LIMITS, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, ...options.limits };
  const timeout = checkTimeout(options.timeoutMs);
  const exposed = checkExposed(options.expose ?? {});
  const exposeThis = options.expose;
  const userClasses = options.errorClasses ?? {};
  const pending = new Set<{ label: string; reject: (error: unknown) => void }>();
  let closedReason: Error | undefined;

  const local = new LocalRefs();
  const remote = new RemoteRefs({
    invoke: (method, head, args, label) => invoke(method, head, args, label),
    release: (id, count) => {
      if (!closedReason) void rpc.$callEvent('$release', id, count).catch(() => {});
    },
  });

  const enc = (value: unknown, path: string): Wire =>
    encode(value, {
      path,
      limits,
      refs: {
        peerId: (v) => remote.peerId(v),
        exportFunction: (fn) => local.exportFunction(fn),
        exportObject: (obj) => local.exportObject(obj),
      },
    });
  const dec = (wire: unknown, path: string): unknown =>
    decode(wire, {
      path,
      limits,
      errorClasses: { ...peerRpcErrorClasses, ...userClasses },
      refs: {
        importFunction: (id, name) => remote.importFunction(id, name),
        importObject: (info) => remote.importObject(info),
        local: (id, path) => local.value(id, path),
      },
    });

  function report(error: RpcProtocolError): void {
    try {
      options.onProtocolError?.(error);
    } catch {
      // a listener's failure is not the channel's
    }
  }

  /** A thrown value as the reply's error: `{ thrown: <encoded value> }`, whatever was thrown. */
  function thrown(error: unknown): Thrown {
    try {
      return new Thrown({ thrown: enc(error, 'error') });
    } catch (encodeError) {
      try {
        return new Thrown({ thrown: enc(encodeError, 'error') });
      } catch {
        return new Thrown({ thrown: enc(new RpcError('E_RPC_UNSUPPORTED', 'the error thrown could not cross'), 'error') });
      }
    }
  }

  function serialize(msg: Message): string {
    let out: Message = msg;
    if (msg.t === 's' && msg.e !== undefined) out = { ...msg, e: msg.e instanceof Thrown ? msg.e.wire : thrown(msg.e).wire };
    const text = JSON.stringify(out);
    if (text.length * 3 > limits.maxMessageBytes) {
      const size = Buffer.byteLength(text);
      if (size > limits.maxMessageBytes) {
        throw new RpcEncodeError('E_RPC_TOO_LARGE', msg.t === 'q' ? 'args' : 'result', `the message is ${size} bytes, over the limit of ${limits.maxMessageBytes}`);
      }
    }
    return text;
  }

  /** Parses and checks one message; anything malformed becomes an error reply or is dropped, and reported. */
  function deserialize(text: unknown): Message {
    let msg: unknown;
    try {
      msg = typeof text === 'string' ? JSON.parse(text) : undefined;
    } catch {
      // reported below
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      report(new RpcProtocolError(`the peer sent a message that is not a JSON object: ${cut(String(text))}`));
      return INERT;
    }
    const m = msg as Record<string, unknown>;
    const id = Object.hasOwn(m, 'i') ? m.i : undefined;
    if (m.t === 'q' && (id === undefined || (typeof id === 'string' && id !== ''))) {
      if (typeof m.m === 'string' && Array.isArray(m.a)) return { t: 'q', i: id as string | undefined, m: m.m, a: m.a };
      const error = new RpcProtocolError('the peer sent a call without a method name and an argument list');
      report(error);
      return id === undefined ? INERT : { t: 'q', i: id as string, m: '$invalid', a: [] };
    }
    if (m.t === 's' && typeof id === 'string' && id !== '') {
      if (Object.hasOwn(m, 'e')) return { t: 's', i: id, e: new PeerThrown(m.e) };
      return { t: 's', i: id, r: m.r };
    }
    report(new RpcProtocolError(`the peer sent a message that is neither a call nor a reply: ${cut(String(text))}`));
    return INERT;
  }

  /** The label of a wire call in error messages. */
  function describe(method: string, args: unknown[]): string {
    if (method === '$new') return `new ${cut(String(args[0]))}`;
    if (method === '$handle') return `${remote.label(args[0])}.${cut(String(args[1]))}`;
    if (method === '$callback') return remote.label(args[0]);
    return method;
  }

  /** Wraps local work as a birpc function: decoded arguments in, encoded result or Thrown out. */
  function served(work: (args: unknown[]) => unknown): AnyFn {
    return async (...args: unknown[]) => {
      let result: unknown;
      try {
        result = await work(args);
      } catch (error) {
        throw thrown(error);
      }
      try {
        return enc(result, 'result');
      } catch (error) {
        throw thrown(error);
      }
    };
  }

  function unknownMethod(name: string): RpcUnknownMethodError {
    const names = [...exposed.keys()];
    const list = names.length ? `it exposes ${cut(names.join(', '), 300)}` : 'it exposes nothing';
    return new RpcUnknownMethodError(cut(name), `"${cut(name)}" is not a function the other side exposes (${list})`);
  }

  /** The only things the peer can run here: exposed functions, handed-out callbacks and handle methods. */
  function resolve(name: string): AnyFn {
    if (closedReason) return () => undefined;
    switch (name) {
      case '$callback':
        return served(([id, ...args]) => Reflect.apply(local.callback(id), undefined, dec(args, 'args') as unknown[]));
      case '$handle':
        return served(([id, method, ...args]) => {
          const { value, info } = local.handle(id);
          if (typeof method !== 'string' || !info.methods.includes(method)) {
            throw new RpcUnknownMethodError(cut(String(method)), `${info.cls}#${info.id} has no method "${cut(String(method))}" (it has ${cut(info.methods.join(', '), 300) || 'none'})`);
          }
          const fn = (value as Record<string, unknown>)[method];
          if (typeof fn !== 'function') throw new RpcUnknownMethodError(method, `${info.cls}#${info.id}.${method} is no longer a function`);
          return Reflect.apply(fn, value, dec(args, 'args') as unknown[]);
        });
      case '$new':
        return served(([name, ...args]) => {
          const cls = typeof name === 'string' ? exposed.get(name) : undefined;
          if (!cls) throw unknownMethod(String(name));
          return Reflect.construct(cls, dec(args, 'args') as unknown[]);
        });
      case '$release':
        return (id: unknown, count: unknown) => {
          if (typeof id === 'number' && typeof count === 'number' && Number.isSafeInteger(count) && count > 0) local.release(id, count);
          else report(new RpcProtocolError('the peer sent a malformed release'));
        };
      case '$invalid':
        return served(() => {
          throw new RpcProtocolError('the call was malformed: it needs a method name and an argument list');
        });
      default: {
        const fn = exposed.get(name);
        if (!fn) return served(() => { throw unknownMethod(name); });
        return served((args) => Reflect.apply(fn as AnyFn, exposeThis, dec(args, 'args') as unknown[]));
      }
    }
  }

  let deliver: ((text: unknown) => Promise<void>) | undefined;
  const rpc = createBirpc<Record<string, AnyFn>, Record<string, AnyFn>, false>(Object.create(null), {
    post: (text: string) => {
      if (closedReason) throw closedReason;
      try {
        options.post(text);
      } catch (error) {
        close(error instanceof Error ? error : new Error(String(error)));
        throw error;
      }
    },
    on: (listener) => {
      deliver = async (text) => {
        await listener(text); // birpc's listener is async, though typed as returning void
      };
    },
    serialize,
    deserialize,
    resolver: (name) => resolve(name),
    timeout,
    onTimeoutError: (method, args) => {
      throw new RpcTimeoutError(describe(method, args), options.timeoutMs);
    },
    // A reply that cannot be sent (too large) becomes an error reply; a call that cannot be sent rejects.
    onGeneralError: (_error, functionName) => functionName !== undefined,
    proxify: false,
  });

  options.on((text) => {
    if (closedReason) return;
    if (typeof text === 'string' && text.length > limits.maxMessageBytes / 3) {
      const size = Buffer.byteLength(text);
      if (size > limits.maxMessageBytes) {
        const error = new RpcProtocolError(`the peer sent a message of ${size} bytes, over the limit of ${limits.maxMessageBytes}`, 'E_RPC_MESSAGE_TOO_LARGE');
        report(error);
        close(error);
        return;
      }
    }
    deliver?.(text).catch((error: unknown) => {
      if (!closedReason) report(new RpcProtocolError(`a message from the peer could not be handled: ${cut(String((error as Error)?.message ?? error), 300)}`));
    });
  });

  /** Maps what a birpc call rejected with to what the caller sees. */
  function failure(error: unknown, label: string): unknown {
    if (error instanceof PeerThrown) {
      const wire = error.wire;
      if (wire === null || typeof wire !== 'object' || !Object.hasOwn(wire, 'thrown')) {
        return new RpcProtocolError(`the reply to ${label} carries an error in no known form`);
      }
      try {
        return dec((wire as { thrown: unknown }).thrown, 'error');
      } catch (decodeError) {
        return decodeError;
      }
    }
    if (error instanceof RpcError) return error;
    if (closedReason) return new RpcClosedError(label, closedReason.message, { cause: closedReason });
    return new RpcProtocolError(`${label} failed in the channel: ${cut(String((error as Error)?.message ?? error), 300)}`);
  }

  function invoke(method: string, head: (string | number)[], args: unknown[], label: string): Promise<any> {
    if (closedReason) return Promise.reject(new RpcClosedError(label, closedReason.message, { cause: closedReason }));
    let wireArgs: Wire[];
    try {
      wireArgs = [...head, ...(enc(args, 'args') as Wire[])];
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolvePromise, rejectPromise) => {
      const entry = { label, reject: rejectPromise };
      pending.add(entry);
      rpc.$call(method, ...wireArgs).then(
        (result: unknown) => {
          pending.delete(entry);
          try {
            const value = dec(result, 'result');
            if ((typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function') {
              throw new RpcEncodeError('E_RPC_UNSUPPORTED', 'result', 'a thenable cannot be a result: it would run the peer\'s code to settle');
            }
            resolvePromise(value);
          } catch (error) {
            rejectPromise(error);
          }
        },
        (error: unknown) => {
          pending.delete(entry);
          rejectPromise(failure(error, label));
        },
      );
    });
  }

  function close(reason?: string | Error): void {
    if (closedReason) return;
    closedReason = reason instanceof Error ? reason : new Error(reason ?? 'closed by this side');
    const because = closedReason;
    for (const entry of pending) entry.reject(new RpcClosedError(entry.label, because.message, { cause: because }));
    pending.clear();
    local.clear();
    remote.clear();
    rpc.$close();
    try {
      options.onClose?.(because);
    } catch {
      // a listener's failure is not the channel's
    }
  }

  return {
    call: (name, ...args) => {
      if (name.startsWith('$')) return Promise.reject(new RpcUnknownMethodError(name, `"${name}" is a name reserved for the channel`));
      return invoke(name, [], args, name);
    },
    construct: (name, ...args) => invoke('$new', [name], args, `new ${name}`),
    close,
    get closedReason() {
      return closedReason;
    },
    get pendingCalls() {
      return pending.size;
    },
  };
}
