/**
 * The codec: values that cross the process boundary, turned into JSON-safe data and back.
 * Plain data is copied; functions and class instances become references that a channel
 * resolves (refs.ts). Decoding never runs code from the data: it only builds values.
 */
import { types } from 'node:util';
import { decodeError, encodeError, type ErrorClasses } from './codec-error.ts';
import { RpcEncodeError, RpcProtocolError } from './errors.ts';
import { keyPath, setOwn, TAG, type Wire } from './wire.ts';

export { isPeerError, type ErrorClasses } from './codec-error.ts';
export { TAG, type Wire } from './wire.ts';

/** Bounds on one encoded or decoded value. */
export interface CodecLimits {
  /** Containers (arrays, objects, maps, sets, errors) nested at most this deep. */
  maxDepth: number;
  /** At most this many values in all. */
  maxNodes: number;
  /** At most this many string characters and binary bytes in all. */
  maxBytes: number;
}

/** The default bounds: 64 levels, a million values, 64 MiB of strings and bytes. */
export const DEFAULT_LIMITS: CodecLimits = { maxDepth: 64, maxNodes: 1_000_000, maxBytes: 64 * 1024 * 1024 };

/** What a class instance's handle carries: its id on the owner's side, class name and member names. */
export interface HandleInfo {
  id: number;
  cls: string;
  /** Methods the receiver may call. */
  methods: string[];
  /** Other members (fields, getters): named so that reading one is a clear error, never sent. */
  props: string[];
}

/** How the encoder turns functions and class instances into references (a channel provides it). */
export interface EncodeRefs {
  /** The peer's id of a proxy it handed us, so that it goes back as itself; undefined for other values. */
  peerId(value: object): number | undefined;
  /** Registers a callback the peer may call; returns its id. */
  exportFunction(fn: (...args: unknown[]) => unknown): { id: number; name: string };
  /** Registers a class instance the peer may call methods of; returns its handle. */
  exportObject(obj: object): HandleInfo;
}

/** How the decoder turns references back into values (a channel provides it). */
export interface DecodeRefs {
  /** An async function that calls the peer's callback `id`. */
  importFunction(id: number, name: string): (...args: unknown[]) => Promise<unknown>;
  /** A proxy whose method calls go to the peer's object. */
  importObject(info: HandleInfo): object;
  /** One of this side's own references, handed back by the peer; throws a typed error if unknown. */
  local(id: number, path: string): unknown;
}

/** Options of encode(). */
export interface EncodeOptions {
  /** Where the value sits, for error messages: "args", "result". */
  path?: string;
  refs?: EncodeRefs;
  limits?: Partial<CodecLimits>;
}

/** Options of decode(). */
export interface DecodeOptions {
  path?: string;
  refs?: DecodeRefs;
  /** Custom error classes the decoded errors may be rebuilt as, by class name. */
  errorClasses?: ErrorClasses;
  limits?: Partial<CodecLimits>;
}

/** Proxies and functions made by any channel's decoder: they cross only over the channel they came from. */
const remoteMade = new WeakSet<object>();

/** Marks a value as a proxy made for a peer's reference (refs.ts calls it). */
export function markRemote(value: object): void {
  remoteMade.add(value);
}

/** Encodes a value into JSON-safe data; throws RpcEncodeError naming the path of what cannot cross. */
export function encode(value: unknown, options: EncodeOptions = {}): Wire {
  return new Encoder({ ...DEFAULT_LIMITS, ...options.limits }, options.refs).value(value, options.path ?? 'value', 0);
}

/** Decodes JSON-safe data from the peer; throws RpcProtocolError (or RpcHandleError) on malformed data. */
export function decode(wire: unknown, options: DecodeOptions = {}): unknown {
  const decoder = new Decoder({ ...DEFAULT_LIMITS, ...options.limits }, options.refs, options.errorClasses ?? {});
  return decoder.value(wire, options.path ?? 'value', 0);
}

/** Binary types that keep their type across; Buffer arrives as a Buffer. */
const BINARY = new Map<string, { prototype: object; from(bytes: Buffer): object }>([
  ['Buffer', { prototype: Buffer.prototype, from: (b) => Buffer.from(b) }],
  ['Uint8Array', { prototype: Uint8Array.prototype, from: (b) => new Uint8Array(copy(b)) }],
  ['ArrayBuffer', { prototype: ArrayBuffer.prototype, from: (b) => copy(b) }],
  ...(
    [
      Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
      Float32Array, Float64Array, BigInt64Array, BigUint64Array,
    ] as const
  ).map((Ctor) => [Ctor.name, { prototype: Ctor.prototype, from: (b: Buffer) => typed(Ctor, b) }] as const),
]);

type TypedCtor = { new (buffer: ArrayBuffer): object; BYTES_PER_ELEMENT: number; name: string };

function copy(bytes: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

function typed(Ctor: TypedCtor, bytes: Buffer): object {
  if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw new Error(`${bytes.length} bytes is not a whole number of ${Ctor.name} elements`);
  return new Ctor(copy(bytes));
}

const SPECIAL_NUMBERS = new Map<string, number>([['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['-0', -0]]);
const MAX_BIGINT_DIGITS = 100_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** What the encoder walks values with: the depth, cycle and size checks. */
class Encoder {
  private nodes = 0;
  private bytes = 0;
  private readonly open = new Set<object>();

  constructor(
    private readonly limits: CodecLimits,
    private readonly refs: EncodeRefs | undefined,
  ) {}

  /** Encodes one value at `path`, nested `depth` containers deep. */
  value(value: unknown, path: string, depth: number): Wire {
    if (++this.nodes > this.limits.maxNodes) throw new RpcEncodeError('E_RPC_TOO_LARGE', path, `the value has more than ${this.limits.maxNodes} parts`);
    switch (typeof value) {
      case 'string':
        this.count(path, value.length);
        return value;
      case 'boolean':
        return value;
      case 'number': {
        if (Number.isFinite(value) && !Object.is(value, -0)) return value;
        const v = Number.isNaN(value) ? 'NaN' : Object.is(value, -0) ? '-0' : value > 0 ? 'Infinity' : '-Infinity';
        return { [TAG]: 'number', v };
      }
      case 'undefined':
        return { [TAG]: 'undefined' };
      case 'bigint': {
        const v = value.toString();
        if (v.length > MAX_BIGINT_DIGITS) throw new RpcEncodeError('E_RPC_TOO_LARGE', path, `a bigint of more than ${MAX_BIGINT_DIGITS} digits`);
        return { [TAG]: 'bigint', v };
      }
      case 'symbol':
        throw new RpcEncodeError('E_RPC_UNSUPPORTED', path, `a Symbol (${String(value.description ?? '')}) cannot cross the boundary`);
      case 'function':
        return this.fn(value as (...args: unknown[]) => unknown, path);
      default:
        if (value === null) return null;
        return this.object(value as object, path, depth);
    }
  }

  private count(path: string, size: number): void {
    this.bytes += size;
    if (this.bytes > this.limits.maxBytes) throw new RpcEncodeError('E_RPC_TOO_LARGE', path, `the value has more than ${this.limits.maxBytes} characters and bytes`);
  }

  private fn(fn: (...args: unknown[]) => unknown, path: string): Wire {
    const peer = this.refs?.peerId(fn);
    if (peer !== undefined) return { [TAG]: 'yours', id: peer };
    if (remoteMade.has(fn)) throw new RpcEncodeError('E_RPC_UNSUPPORTED', path, 'a callback from another channel cannot cross this one');
    if (!this.refs) throw new RpcEncodeError('E_RPC_UNSUPPORTED', path, 'a function crosses only over a channel, as a callback');
    const { id, name } = this.refs.exportFunction(fn);
    return { [TAG]: 'function', id, name };
  }

  /** Runs `inner` for a container, with the depth and cycle checks around it. */
  private nest(value: object, path: string, depth: number, inner: (depth: number) => Wire): Wire {
    if (depth >= this.limits.maxDepth) throw new RpcEncodeError('E_RPC_TOO_DEEP', path, `the value is nested deeper than ${this.limits.maxDepth} levels`);
    if (this.open.has(value)) throw new RpcEncodeError('E_RPC_CYCLE', path, 'the value contains itself (a cycle), which cannot cross');
    this.open.add(value);
    try {
      return inner(depth + 1);
    } finally {
      this.open.delete(value);
    }
  }

  private object(value: object, path: string, depth: number): Wire {
    const peer = this.refs?.peerId(value);
    if (peer !== undefined) return { [TAG]: 'yours', id: peer };
    if (remoteMade.has(value)) throw new RpcEncodeError('E_RPC_UNSUPPORTED', path, 'a handle from another channel cannot cross this one');
    if (Array.isArray(value)) return this.nest(value, path, depth, (d) => this.array(value, path, d));
    const proto = Object.getPrototypeOf(value);
    // A plain object with a getter is live state (`server.queueDepth`), not data: over a channel it
    // crosses as a handle, so field() reads the getter now rather than once.
    if ((proto === Object.prototype || proto === null) && !(this.refs && hasGetter(value))) return this.nest(value, path, depth, (d) => this.plain(value, path, d));
    if (value instanceof Error || types.isNativeError(value)) {
      return this.nest(value, path, depth, (d) => encodeError(value as Error, path, (v, p) => this.value(v, p, d)));
    }
    if (proto === Date.prototype) {
      const time = (value as Date).getTime();
      return { [TAG]: 'date', v: Number.isNaN(time) ? null : time };
    }
    if (proto === RegExp.prototype) {
      const { source, flags } = value as RegExp;
      this.count(path, source.length);
      return { [TAG]: 'regexp', source, flags };
    }
    if (proto === Map.prototype) {
      return this.nest(value, path, depth, (d) => {
        const entries: Wire[] = [];
        let i = 0;
        for (const [k, v] of value as Map<unknown, unknown>) {
          entries.push([this.value(k, `${path}.<key ${i}>`, d), this.value(v, `${path}.<value ${i}>`, d)]);
          i++;
        }
        return { [TAG]: 'map', v: entries };
      });
    }
    if (proto === Set.prototype) {
      return this.nest(value, path, depth, (d) => {
        const items: Wire[] = [];
        let i = 0;
        for (const v of value as Set<unknown>) items.push(this.value(v, `${path}.<item ${i++}>`, d));
        return { [TAG]: 'set', v: items };
      });
    }
    for (const [type, { prototype }] of BINARY) {
      if (proto !== prototype) continue;
      const bytes = types.isArrayBuffer(value)
        ? Buffer.from(value)
        : Buffer.from((value as ArrayBufferView).buffer, (value as ArrayBufferView).byteOffset, (value as ArrayBufferView).byteLength);
      this.count(path, bytes.length);
      return { [TAG]: 'bytes', type, v: bytes.toString('base64') };
    }
    const refused = refusedKind(value);
    if (refused) throw new RpcEncodeError('E_RPC_UNSUPPORTED', path, `${refused} cannot cross the boundary`);
    if (!this.refs) throw new RpcEncodeError('E_RPC_UNSUPPORTED', path, `a ${className(value)} instance crosses only over a channel, as a handle`);
    const info = this.refs.exportObject(value);
    return { [TAG]: 'handle', id: info.id, cls: info.cls, methods: info.methods, props: info.props };
  }

  private array(value: unknown[], path: string, depth: number): Wire {
    if (value.length > this.limits.maxNodes - this.nodes) {
      throw new RpcEncodeError('E_RPC_TOO_LARGE', path, `the value has more than ${this.limits.maxNodes} parts`);
    }
    const out: Wire[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = this.value(value[i], `${path}[${i}]`, depth);
    return out;
  }

  private plain(value: object, path: string, depth: number): Wire {
    for (const sym of Object.getOwnPropertySymbols(value)) {
      if (Object.prototype.propertyIsEnumerable.call(value, sym)) {
        throw new RpcEncodeError('E_RPC_UNSUPPORTED', `${path}[${String(sym)}]`, 'a Symbol key cannot cross the boundary');
      }
    }
    const out: { [key: string]: Wire } = Object.create(null);
    for (const key of Object.keys(value)) {
      this.count(path, key.length);
      const child = keyPath(path, key);
      out[key] = this.value((value as Record<string, unknown>)[key], child, depth);
    }
    return Object.hasOwn(out, TAG) ? { [TAG]: 'object', v: out } : out;
  }
}

/** The name of a kind of object that can never cross, or undefined. */
function refusedKind(value: object): string | undefined {
  if (types.isPromise(value)) return 'a Promise inside a value (await it first)';
  if (types.isWeakMap(value)) return 'a WeakMap';
  if (types.isWeakSet(value)) return 'a WeakSet';
  if (value instanceof WeakRef) return 'a WeakRef';
  if (value instanceof FinalizationRegistry) return 'a FinalizationRegistry';
  if (types.isSharedArrayBuffer(value)) return 'a SharedArrayBuffer';
  if (types.isDataView(value)) return 'a DataView';
  if (types.isBoxedPrimitive(value)) return 'a boxed primitive';
  if (types.isArrayBufferView(value) || types.isArrayBuffer(value)) return `a ${className(value)} (a subclass of a binary type)`;
  if (types.isDate(value) || types.isMap(value) || types.isSet(value) || types.isRegExp(value)) return `a ${className(value)} (from another realm or a subclass)`;
  return undefined;
}

/** The class name of an object, as its own side sees it. */
/** True when an object has an own accessor (getter) property. */
function hasGetter(value: object): boolean {
  for (const key of Object.keys(value)) if (Object.getOwnPropertyDescriptor(value, key)?.get) return true;
  return false;
}

export function className(value: object): string {
  try {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== '' ? name.slice(0, 100) : 'Object';
  } catch {
    return 'Object';
  }
}

/** What the decoder walks wire data with: shape checks, depth and size bounds. */
class Decoder {
  private nodes = 0;

  constructor(
    private readonly limits: CodecLimits,
    private readonly refs: DecodeRefs | undefined,
    private readonly errorClasses: ErrorClasses,
  ) {}

  /** Decodes one wire value at `path`, nested `depth` containers deep. */
  value(wire: unknown, path: string, depth: number): unknown {
    if (++this.nodes > this.limits.maxNodes) throw bad(path, `more than ${this.limits.maxNodes} parts`);
    if (wire === null || typeof wire === 'string' || typeof wire === 'boolean') return wire;
    if (typeof wire === 'number') {
      if (!Number.isFinite(wire)) throw bad(path, 'a number that JSON cannot hold');
      return wire;
    }
    if (typeof wire !== 'object') throw bad(path, wire === undefined ? 'no value' : `a ${typeof wire}, which is not JSON data`);
    if (Array.isArray(wire)) return this.nest(path, depth, (d) => wire.map((item, i) => this.value(item, `${path}[${i}]`, d)));
    if (!Object.hasOwn(wire, TAG)) return this.nest(path, depth, (d) => this.plain(wire as Record<string, unknown>, path, d));
    const w = wire as Record<string, unknown>;
    const tag = w[TAG];
    switch (tag) {
      case 'undefined':
        return undefined;
      case 'number': {
        const v = field(w, 'v', path);
        if (typeof v !== 'string' || !SPECIAL_NUMBERS.has(v)) throw bad(path, 'a special number that is not NaN, Infinity, -Infinity or -0');
        return SPECIAL_NUMBERS.get(v);
      }
      case 'bigint': {
        const v = field(w, 'v', path);
        if (typeof v !== 'string' || v.length > MAX_BIGINT_DIGITS || !/^-?\d+$/.test(v)) throw bad(path, 'a bigint that is not a string of digits');
        return BigInt(v);
      }
      case 'date': {
        const v = field(w, 'v', path);
        if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) throw bad(path, 'a date whose time is not a number');
        return new Date(v ?? NaN);
      }
      case 'regexp': {
        const source = field(w, 'source', path);
        const flags = field(w, 'flags', path);
        if (typeof source !== 'string' || typeof flags !== 'string') throw bad(path, 'a regexp without a source and flags');
        try {
          return new RegExp(source, flags);
        } catch {
          throw bad(path, 'a regexp that does not compile');
        }
      }
      case 'map':
        return this.nest(path, depth, (d) => {
          const entries = field(w, 'v', path);
          if (!Array.isArray(entries)) throw bad(path, 'a map without entries');
          const out = new Map<unknown, unknown>();
          entries.forEach((entry, i) => {
            if (!Array.isArray(entry) || entry.length !== 2) throw bad(`${path}.<entry ${i}>`, 'a map entry that is not a [key, value] pair');
            out.set(this.value(entry[0], `${path}.<key ${i}>`, d), this.value(entry[1], `${path}.<value ${i}>`, d));
          });
          return out;
        });
      case 'set':
        return this.nest(path, depth, (d) => {
          const items = field(w, 'v', path);
          if (!Array.isArray(items)) throw bad(path, 'a set without items');
          return new Set(items.map((item, i) => this.value(item, `${path}.<item ${i}>`, d)));
        });
      case 'bytes': {
        const type = field(w, 'type', path);
        const v = field(w, 'v', path);
        const binary = typeof type === 'string' ? BINARY.get(type) : undefined;
        if (!binary) throw bad(path, `bytes of an unknown type ${JSON.stringify(type)}`);
        if (typeof v !== 'string' || v.length % 4 !== 0 || !BASE64.test(v)) throw bad(path, 'bytes that are not base64');
        try {
          return binary.from(Buffer.from(v, 'base64'));
        } catch (error) {
          throw bad(path, (error as Error).message);
        }
      }
      case 'error':
        return this.nest(path, depth, (d) => decodeError(w, path, this.errorClasses, (v, p) => this.value(v, p, d), bad));
      case 'object':
        return this.nest(path, depth, (d) => {
          const v = field(w, 'v', path);
          if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(path, 'an escaped object without its entries');
          return this.plain(v as Record<string, unknown>, path, d);
        });
      case 'function': {
        const id = refId(w, path);
        const name = field(w, 'name', path);
        if (typeof name !== 'string') throw bad(path, 'a callback without a name');
        if (!this.refs) throw bad(path, 'a callback, which crosses only over a channel');
        return this.refs.importFunction(id, name.slice(0, 100));
      }
      case 'handle': {
        const id = refId(w, path);
        const cls = field(w, 'cls', path);
        const methods = field(w, 'methods', path);
        const props = field(w, 'props', path);
        if (typeof cls !== 'string' || !isStrings(methods) || !isStrings(props)) throw bad(path, 'a handle without a class name and member names');
        if (!this.refs) throw bad(path, 'a handle, which crosses only over a channel');
        return this.refs.importObject({ id, cls: cls.slice(0, 100), methods, props });
      }
      case 'yours': {
        const id = refId(w, path);
        if (!this.refs) throw bad(path, 'a reference, which crosses only over a channel');
        return this.refs.local(id, path);
      }
      default:
        throw bad(path, `an unknown tag ${JSON.stringify(tag)}`.slice(0, 200));
    }
  }

  private nest<T>(path: string, depth: number, inner: (depth: number) => T): T {
    if (depth >= this.limits.maxDepth) throw bad(path, `a value nested deeper than ${this.limits.maxDepth} levels`);
    return inner(depth + 1);
  }

  private plain(wire: Record<string, unknown>, path: string, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(wire)) {
      // A test framework treats any value with an asymmetricMatch() as a matcher and asks it whether it
      // equals the expected value; a peer's callback would answer with a Promise, which is truthy.
      if (key === 'asymmetricMatch') throw bad(keyPath(path, key), 'an asymmetricMatch member, which would pose as a test matcher');
      const value = this.value(wire[key], keyPath(path, key), depth);
      if (key === '__proto__') setOwn(out, key, value);
      else out[key] = value;
    }
    return out;
  }
}

/** An own field of a wire object (never one inherited from Object.prototype). */
function field(wire: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.hasOwn(wire, key)) throw bad(path, `a tagged value without its "${key}" field`);
  return wire[key];
}

function refId(wire: Record<string, unknown>, path: string): number {
  const id = field(wire, 'id', path);
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) throw bad(path, 'a reference whose id is not a positive integer');
  return id;
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= 10_000 && value.every((v) => typeof v === 'string');
}

function bad(path: string, what: string): RpcProtocolError {
  return new RpcProtocolError(`${path}: the peer sent ${what}`);
}
