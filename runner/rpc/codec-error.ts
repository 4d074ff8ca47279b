/**
 * Errors on the wire: name, message, code, cause, own enumerable props and class. Built-in
 * classes come back as themselves, custom ones through the receiver's registry; the sender's
 * stack is kept as inert text in `remoteStack`.
 */
import type { RpcProtocolError } from './errors.ts';
import { keyPath, setOwn, TAG, type Wire } from './wire.ts';

/** Custom error classes a receiver rebuilds errors as, keyed by class name: `{ RagError }`. */
export type ErrorClasses = Record<string, abstract new (...args: never[]) => Error>;

/** The built-in error classes, rebuilt as themselves on the other side. */
const BUILTIN = new Map<string, ErrorClasses[string]>([
  ['Error', Error],
  ['RangeError', RangeError],
  ['TypeError', TypeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
  ['AggregateError', AggregateError],
]);

/** The sender's stack is cut to this many characters. */
const MAX_STACK = 16_000;
/** Keys handled apart from the own enumerable props; a peer's props of these names are ignored. */
const SPECIAL = new Set(['message', 'stack', 'cause', 'errors', 'remoteStack']);

/** Every error rebuilt from a peer's data, so that local code can tell them from its own. */
const fromPeer = new WeakSet<object>();

/** Whether an error was rebuilt from the peer's data (a peer can claim any class and code, never this). */
export function isPeerError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && fromPeer.has(value);
}

function text(read: () => unknown, max = 100_000): string {
  try {
    const value = read();
    return typeof value === 'string' ? value.slice(0, max) : value === undefined ? '' : String(value).slice(0, max);
  } catch {
    return '';
  }
}

/** The name of the nearest built-in class an error descends from (Error at worst). */
function builtinBase(err: Error): string {
  for (let proto = Object.getPrototypeOf(err); proto !== null; proto = Object.getPrototypeOf(proto)) {
    for (const [name, cls] of BUILTIN) if (cls.prototype === proto) return name;
  }
  return 'Error';
}

/** Encodes an error; `encodeValue` encodes its cause, code and props at their paths. */
export function encodeError(err: Error, path: string, encodeValue: (value: unknown, path: string) => Wire): Wire {
  const base = builtinBase(err);
  const proto = Object.getPrototypeOf(err) as { constructor?: { name?: unknown } } | null;
  const cls = text(() => proto?.constructor?.name, 100) || base;
  const out: { [key: string]: Wire } = {
    [TAG]: 'error',
    cls,
    base,
    name: text(() => err.name, 1000),
    message: text(() => err.message),
  };
  const stack = text(() => err.stack, MAX_STACK);
  if (stack) out.stack = stack;
  if (Object.hasOwn(err, 'cause')) out.cause = encodeValue(err.cause, `${path}.cause`);
  const errors = Object.hasOwn(err, 'errors') ? (err as AggregateError).errors : undefined;
  if (Array.isArray(errors)) out.errors = encodeValue(errors, `${path}.errors`);
  const code = (err as { code?: unknown }).code;
  if (code !== undefined && !Object.prototype.propertyIsEnumerable.call(err, 'code')) out.code = encodeValue(code, `${path}.code`);
  const props: { [key: string]: Wire } = Object.create(null);
  let some = false;
  for (const key of Object.keys(err)) {
    if (SPECIAL.has(key)) continue;
    props[key] = encodeValue((err as unknown as Record<string, unknown>)[key], keyPath(path, key));
    some = true;
  }
  if (some) out.props = props;
  return out;
}

/** The class an error is rebuilt as: the registry's, else the same built-in, else its nearest built-in. */
function classFor(cls: string, base: string, registry: ErrorClasses): ErrorClasses[string] {
  if (Object.hasOwn(registry, cls)) {
    const Cls = registry[cls];
    if (typeof Cls === 'function' && (Cls === Error || Cls.prototype instanceof Error)) return Cls;
  }
  return BUILTIN.get(cls) ?? BUILTIN.get(base) ?? Error;
}

/**
 * Rebuilds an error from the wire. The instance is a real Error (made by Error's own
 * constructor with the target class as new.target), so no constructor of the class runs.
 */
export function decodeError(
  wire: Record<string, unknown>,
  path: string,
  registry: ErrorClasses,
  decodeValue: (value: unknown, path: string) => unknown,
  bad: (path: string, what: string) => RpcProtocolError,
): Error {
  const { cls, base, name, message } = wire;
  if (typeof cls !== 'string' || typeof base !== 'string' || typeof name !== 'string' || typeof message !== 'string') {
    throw bad(path, 'an error without its class, name and message');
  }
  const Cls = classFor(cls, base, registry);
  const err = Reflect.construct(Error, [message], Cls) as Error;
  if (err.name !== name) setOwn(err, 'name', name, false);
  setOwn(err, 'stack', `${name}: ${message}\n    at <rpc peer>`, false);
  if (Object.hasOwn(wire, 'cause')) setOwn(err, 'cause', decodeValue(wire.cause, `${path}.cause`), false);
  if (Object.hasOwn(wire, 'errors')) {
    const errors = decodeValue(wire.errors, `${path}.errors`);
    if (!Array.isArray(errors)) throw bad(`${path}.errors`, 'errors that are not an array');
    setOwn(err, 'errors', errors, false);
  }
  if (Object.hasOwn(wire, 'code')) setOwn(err, 'code', decodeValue(wire.code, `${path}.code`), false);
  if (Object.hasOwn(wire, 'props')) {
    const props = wire.props;
    if (props === null || typeof props !== 'object' || Array.isArray(props)) throw bad(path, 'error props that are not an object');
    for (const key of Object.keys(props)) {
      const value = decodeValue((props as Record<string, unknown>)[key], keyPath(path, key));
      if (SPECIAL.has(key) || (key === 'name' && typeof value !== 'string')) continue;
      setOwn(err, key, value, true);
    }
  }
  if (Object.hasOwn(wire, 'stack')) {
    if (typeof wire.stack !== 'string') throw bad(path, 'an error stack that is not text');
    setOwn(err, 'remoteStack', wire.stack.slice(0, MAX_STACK), false);
  }
  fromPeer.add(err);
  return err;
}
