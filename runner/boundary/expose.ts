// What the learner side of the boundary offers the checks: the lab's modules, by file, as three
// calls. The same object is exposed by the learner process (host.ts) and, for trusted code, by an
// in-process peer (learner.ts), so checks behave the same on both paths.
import { encode } from '../rpc/codec.ts';

/** How one export of a learner module crosses: called, constructed, rebuilt locally, or copied. */
export type ExportKind = 'function' | 'class' | 'error-class' | 'value' | 'opaque';

/** One export, as `describe` reports it. */
export interface ExportInfo {
  name: string;
  kind: ExportKind;
  /** The value, for kind `value` (plain data). */
  value?: unknown;
  /** A class's static methods (`Tokenizer.load`), called with `invoke(file, "Class.method")`. */
  statics?: string[];
}

/** The calls the checks make on the learner side. */
export interface LearnerExposed {
  /** Loads `file` (relative to the lab) and lists its exports. */
  describe(file: string): Promise<ExportInfo[]>;
  /** Calls the function `name` that `file` exports. */
  invoke(file: string, name: string, ...args: unknown[]): Promise<unknown>;
  /** Runs `new name(...args)` for the class that `file` exports; the instance crosses as a handle. */
  create(file: string, name: string, ...args: unknown[]): Promise<unknown>;
  /** Like invoke, and also sends back the arguments as they are after the call (did it change them?). */
  inspect(file: string, name: string, ...args: unknown[]): Promise<{ result: unknown; args: unknown[] }>;
  /** Reads a field or getter of an object this side handed out (a handle arrives here as the object). */
  field(target: unknown, key: string): Promise<unknown>;
  /** Calls `target[method](...args)` once per entry of `calls`, in order, and returns every result. */
  each(target: unknown, method: string, calls: unknown[][]): Promise<unknown[]>;
}

const DATA_ONLY = { exportFunction: () => ({ id: 0, name: '' }), exportObject: () => ({ id: 0, cls: '', methods: [], props: [] }), peerId: () => undefined };

/** A class's own static methods, by name. */
function staticMethods(cls: object): string[] {
  return Object.getOwnPropertyNames(cls).filter((key) => !['length', 'name', 'prototype'].includes(key) && typeof Object.getOwnPropertyDescriptor(cls, key)?.value === 'function');
}

function kindOf(value: unknown): ExportKind {
  if (typeof value === 'function') {
    if (!/^class\b/.test(Function.prototype.toString.call(value))) return 'function';
    return value.prototype instanceof Error ? 'error-class' : 'class';
  }
  try {
    encode(value, { refs: DATA_ONLY });
    return 'value';
  } catch {
    return 'opaque';
  }
}

/** The exposed calls over `load`, which imports a lab file by its lab-relative path. */
export function exposeModules(load: (file: string) => Promise<Record<string, unknown>>): LearnerExposed {
  const loaded = new Map<string, Promise<Record<string, unknown>>>();
  const module = (file: string) => {
    if (typeof file !== 'string') return Promise.reject(new TypeError('a module is named by its path in the lab, as text'));
    let found = loaded.get(file);
    if (!found) {
      found = load(file);
      loaded.set(file, found);
    }
    return found;
  };
  const member = async (file: string, name: string, what: string) => {
    const ns = await module(file);
    const [outer, inner] = typeof name === 'string' ? name.split('.', 2) : [];
    const owner = outer !== undefined && Object.hasOwn(ns, outer) ? ns[outer] : undefined;
    if (inner !== undefined && typeof owner === 'function' && staticMethods(owner).includes(inner)) {
      const fn = (owner as unknown as Record<string, (...args: unknown[]) => unknown>)[inner];
      return (...args: unknown[]) => fn.apply(owner, args);
    }
    if (inner !== undefined || typeof owner !== 'function') throw new TypeError(`${file} does not export ${what} named ${String(name)}`);
    return owner as (...args: unknown[]) => unknown;
  };
  return {
    async describe(file) {
      const ns = await module(file);
      return Object.keys(ns)
        .filter((name) => name !== '__esModule' && name !== 'default')
        .map((name) => {
          const kind = kindOf(ns[name]);
          if (kind === 'value') return { name, kind, value: ns[name] };
          if (kind === 'class') return { name, kind, statics: staticMethods(ns[name] as object) };
          return { name, kind };
        });
    },
    async invoke(file, name, ...args) {
      const fn = await member(file, name, 'a function');
      return fn(...args);
    },
    async create(file, name, ...args) {
      const Cls = (await member(file, name, 'a class')) as unknown as new (...a: unknown[]) => unknown;
      return new Cls(...args);
    },
    async inspect(file, name, ...args) {
      const fn = await member(file, name, 'a function');
      const result = await fn(...args);
      return { result, args };
    },
    async field(target, key) {
      if (target === null || typeof target !== 'object' || typeof key !== 'string') throw new TypeError('field() reads a named field of an object from this side');
      return (target as Record<string, unknown>)[key];
    },
    async each(target, method, calls) {
      const fn = target !== null && typeof target === 'object' && typeof method === 'string' ? (target as Record<string, unknown>)[method] : undefined;
      if (typeof fn !== 'function' || !Array.isArray(calls)) throw new TypeError('callEach() calls a method of an object from this side, once per list of arguments');
      const out: unknown[] = [];
      for (const args of calls) out.push(await fn.apply(target, Array.isArray(args) ? args : [args]));
      return out;
    },
  };
}
