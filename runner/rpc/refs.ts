/**
 * References across the boundary. LocalRefs holds what this side handed out (callbacks and
 * class instances, by id); RemoteRefs makes the proxies for what the peer handed us. Counts of
 * sends and receipts make release safe when the same object crosses again while a release is
 * on its way.
 */
import { className, markRemote, type HandleInfo } from './codec.ts';
import { RpcHandleError } from './errors.ts';

type Fn = (...args: unknown[]) => unknown;

interface LocalRef {
  id: number;
  value: object;
  kind: 'function' | 'handle';
  /** Times it was sent and not yet released by the peer. */
  sent: number;
  info?: HandleInfo;
  name: string;
}

/** Most member names a handle advertises. */
const MAX_MEMBERS = 1000;

/** The methods and other members of a class instance, from its own keys up to Object.prototype. */
export function describeMembers(obj: object): { methods: string[]; props: string[] } {
  const methods = new Set<string>();
  const props = new Set<string>();
  for (let o: object | null = obj; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) {
      if (key === 'constructor' || methods.has(key) || props.has(key)) continue;
      if (methods.size + props.size >= MAX_MEMBERS) break;
      const descriptor = Object.getOwnPropertyDescriptor(o, key);
      if (descriptor && typeof descriptor.value === 'function') methods.add(key);
      else props.add(key);
    }
  }
  return { methods: [...methods], props: [...props] };
}

/** What this side handed out: the only callbacks and objects the peer can reach. */
export class LocalRefs {
  private next = 1;
  private readonly byId = new Map<number, LocalRef>();
  private readonly byValue = new WeakMap<object, LocalRef>();

  private add(value: object, kind: LocalRef['kind'], name: string, members?: { methods: string[]; props: string[] }): LocalRef {
    let ref = this.byValue.get(value);
    if (!ref) {
      const id = this.next++;
      ref = { id, value, kind, sent: 0, name, info: members && { id, cls: name, ...members } };
      this.byId.set(id, ref);
      this.byValue.set(value, ref);
    }
    ref.sent++;
    return ref;
  }

  /** Hands out a callback; the same function keeps its id while the peer holds it. */
  exportFunction(fn: Fn): { id: number; name: string } {
    const name = typeof fn.name === 'string' ? fn.name.slice(0, 100) : '';
    const ref = this.add(fn, 'function', name);
    return { id: ref.id, name: ref.name };
  }

  /** Hands out a class instance as a handle. */
  exportObject(obj: object): HandleInfo {
    const known = this.byValue.get(obj);
    return (known ? this.add(obj, 'handle', known.name) : this.add(obj, 'handle', className(obj), describeMembers(obj))).info!;
  }

  /** The callback `id`, or a typed error if this side never handed it out (or it was released). */
  callback(id: unknown): Fn {
    const ref = typeof id === 'number' ? this.byId.get(id) : undefined;
    if (!ref || ref.kind !== 'function') throw new RpcHandleError('E_RPC_UNKNOWN_REF', `callback #${String(id).slice(0, 30)} is not one this side handed out, or it was released`);
    return ref.value as Fn;
  }

  /** The object `id` and its handle, or a typed error if this side never handed it out (or it was released). */
  handle(id: unknown): { value: object; info: HandleInfo } {
    const ref = typeof id === 'number' ? this.byId.get(id) : undefined;
    if (!ref || ref.kind !== 'handle') throw new RpcHandleError('E_RPC_UNKNOWN_REF', `handle #${String(id).slice(0, 30)} is not one this side handed out, or it was released`);
    return { value: ref.value, info: ref.info! };
  }

  /** Any reference this side handed out, for a value the peer hands back. */
  value(id: number, path: string): object {
    const ref = this.byId.get(id);
    if (!ref) throw new RpcHandleError('E_RPC_UNKNOWN_REF', `${path}: reference #${id} is not one this side handed out, or it was released`);
    return ref.value;
  }

  /** The peer let go of `count` copies of `id`; the reference goes when none is left. */
  release(id: number, count: number): void {
    const ref = this.byId.get(id);
    if (!ref) return;
    ref.sent -= count;
    if (ref.sent <= 0) {
      this.byId.delete(id);
      this.byValue.delete(ref.value);
    }
  }

  /** How many references the peer still holds. */
  get size(): number {
    return this.byId.size;
  }

  /** Drops every reference (the channel closed). */
  clear(): void {
    for (const ref of this.byId.values()) this.byValue.delete(ref.value);
    this.byId.clear();
  }
}

/** What the proxies need from their channel. */
export interface RemoteInvoker {
  /** Calls the peer: a wire method, its fixed head arguments, the caller's arguments and a label for errors. */
  invoke(method: '$callback' | '$handle', head: (string | number)[], args: unknown[], label: string): Promise<unknown>;
  /** Tells the peer that `count` receipts of `id` are let go. */
  release(id: number, count: number): void;
}

interface RemoteRef {
  id: number;
  label: string;
  proxy: object;
  received: number;
  released: boolean;
}

/** Every proxy any channel made, with the way to release it. */
const releasers = new WeakMap<object, () => void>();

/** Releases a handle or callback the peer handed over; later calls through it fail at once. Idempotent. */
export function release(ref: unknown): void {
  if ((typeof ref === 'object' && ref !== null) || typeof ref === 'function') releasers.get(ref)?.();
}

/** Whether a value is a handle or callback proxy made by a channel. */
export function isRemote(value: unknown): boolean {
  return ((typeof value === 'object' && value !== null) || typeof value === 'function') && releasers.has(value);
}

const asyncDispose: symbol | undefined = (Symbol as { asyncDispose?: symbol }).asyncDispose;

/** The proxies for what the peer handed us, cached by id so one remote object is one proxy. */
export class RemoteRefs {
  private readonly byId = new Map<number, RemoteRef>();
  private readonly ids = new WeakMap<object, RemoteRef>();

  constructor(private readonly invoker: RemoteInvoker) {}

  /** The peer's id of a live proxy it handed us. */
  peerId(value: object): number | undefined {
    const ref = this.ids.get(value);
    return ref && !ref.released ? ref.id : undefined;
  }

  /** The label of reference `id` in error messages: `Tokenizer#3`, `callback embed#2`. */
  label(id: unknown): string {
    return (typeof id === 'number' ? this.byId.get(id)?.label : undefined) ?? `reference #${String(id).slice(0, 30)}`;
  }

  private track(id: number, label: string, make: (ref: RemoteRef) => object): object {
    let ref = this.byId.get(id);
    if (!ref) {
      ref = { id, label, proxy: undefined as unknown as object, received: 0, released: false };
      const made = make(ref);
      ref.proxy = made;
      this.byId.set(id, ref);
      this.ids.set(made, ref);
      markRemote(made);
      const current = ref;
      releasers.set(made, () => this.drop(current));
    }
    ref.received++;
    return ref.proxy;
  }

  private drop(ref: RemoteRef): void {
    if (ref.released) return;
    ref.released = true;
    if (this.byId.get(ref.id) === ref) this.byId.delete(ref.id);
    this.invoker.release(ref.id, ref.received);
  }

  private released(ref: RemoteRef): RpcHandleError {
    return new RpcHandleError('E_RPC_RELEASED', `${ref.label} was released; get a new one from the other side to call it again`);
  }

  /** An async function that calls the peer's callback `id`. */
  importFunction(id: number, name: string): (...args: unknown[]) => Promise<unknown> {
    const label = `callback ${name || '(anonymous)'}#${id}`;
    return this.track(id, label, (ref) => {
      const fn = (...args: unknown[]) => (ref.released ? Promise.reject(this.released(ref)) : this.invoker.invoke('$callback', [id], args, label));
      Object.defineProperty(fn, 'name', { value: name });
      return fn;
    }) as (...args: unknown[]) => Promise<unknown>;
  }

  /** A proxy whose advertised methods call the peer's object; reading any other member it named is an error. */
  importObject(info: HandleInfo): object {
    const label = `${info.cls}#${info.id}`;
    return this.track(info.id, label, (ref) => {
      const methods = new Set(info.methods);
      const props = new Set(info.props);
      const bound = new Map<string, (...args: unknown[]) => Promise<unknown>>();
      const call = (method: string) => {
        let fn = bound.get(method);
        if (!fn) {
          fn = (...args: unknown[]) => (ref.released ? Promise.reject(this.released(ref)) : this.invoker.invoke('$handle', [info.id, method], args, `${label}.${method}`));
          Object.defineProperty(fn, 'name', { value: method });
          bound.set(method, fn);
        }
        return fn;
      };
      const target = Object.create(null) as object;
      Object.defineProperty(target, Symbol.toStringTag, { value: `RemoteHandle ${label}` });
      return new Proxy(target, {
        get: (_target, key) => {
          if (key === asyncDispose) return async () => release(ref.proxy);
          if (key === Symbol.toStringTag) return `RemoteHandle ${label}`;
          // then: awaiting a handle is harmless; asymmetricMatch: a handle never poses as a test matcher.
          if (typeof key !== 'string' || key === 'then' || key === 'asymmetricMatch') return undefined;
          if (methods.has(key)) return call(key);
          if (props.has(key)) {
            throw new RpcHandleError('E_RPC_NOT_A_METHOD', `${label}.${key} is not a method: a handle carries method calls only, not property reads; call a method that returns it`);
          }
          return undefined;
        },
        has: (_target, key) => typeof key === 'string' && methods.has(key),
        set: () => {
          throw new RpcHandleError('E_RPC_NOT_A_METHOD', `${label} is a handle to an object on the other side; it cannot be written to`);
        },
        defineProperty: () => {
          throw new RpcHandleError('E_RPC_NOT_A_METHOD', `${label} is a handle to an object on the other side; it cannot be written to`);
        },
      });
    });
  }

  /** The channel closed: every proxy is let go (calls through them fail with RpcClosedError). */
  clear(): void {
    this.byId.clear();
  }
}
