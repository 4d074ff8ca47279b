// Anti-tamper for the test workers. Learner code runs in the same process as the checks, so before
// any learner module loads this freezes what an assertion's verdict depends on (vitest's expect and
// chai, the built-ins they call, the channel results travel on), pins each running test's flags,
// latches a failure so nothing can turn it back into a pass, and re-checks it all after each test.
// A violation fails the test with an AilabTamperError, which the runner turns into a score of 0.
import crypto from 'node:crypto';
import { types } from 'node:util';
import v8 from 'node:v8';
import { syncBuiltinESMExports } from 'node:module';
import { chai, describe, expect, it, suite, test, vi } from 'vitest';
import { attestation, KEY_NAME, TAMPER_ERROR } from './attest.mjs';

/** The error a detected tampering attempt fails a check with; the runner looks for its name. */
export class AilabTamperError extends Error {
  constructor(what) {
    super(`Tampering detected: ${what}. The submission modified the test framework or the values it checks.`);
    this.name = TAMPER_ERROR;
  }
}

const freeze = Object.freeze;
const isFrozen = Object.isFrozen;
const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const getPrototypeOf = Object.getPrototypeOf;
const ownKeys = Reflect.ownKeys;
const apply = Reflect.apply;
const objectIs = Object.is;
const createSecretKey = crypto.createSecretKey;
const bufferFrom = Buffer.from;
const hmacPrototype = getPrototypeOf(crypto.createHmac('sha256', 'probe'));

/** Names that code often assigns on its own objects; on a frozen prototype they become accessors
 * that define an own property instead of throwing (the "override mistake"). */
const OVERRIDABLE = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'toJSON', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable'];

function tameOverrides(proto) {
  for (const name of OVERRIDABLE) {
    const desc = getOwnPropertyDescriptor(proto, name);
    if (!desc || !('value' in desc) || !desc.configurable) continue;
    const value = desc.value;
    defineProperty(proto, name, {
      get() {
        return value;
      },
      set(next) {
        if (this === proto) throw new TypeError(`Cannot assign to read only property '${name}' of a locked built-in`);
        defineProperty(this, name, { value: next, writable: true, enumerable: true, configurable: true });
      },
      enumerable: desc.enumerable,
      configurable: false,
    });
  }
}

/** Every object whose integrity the verdict of an assertion depends on. */
function lockedObjects() {
  const typedArray = getPrototypeOf(Uint8Array);
  // Module namespace objects (chai, chai.util) are immutable already and cannot be frozen.
  return [
    Object, Object.prototype, Array, Array.prototype, Function.prototype, String, String.prototype, Number, Number.prototype,
    Boolean.prototype, BigInt.prototype, Math, JSON, Reflect, Promise, Promise.prototype, Map.prototype, Set.prototype,
    WeakMap.prototype, WeakSet.prototype, RegExp.prototype, Date.prototype, ArrayBuffer.prototype, typedArray, typedArray.prototype,
    Uint8Array.prototype, Float64Array.prototype, Float32Array.prototype, Int32Array.prototype, Uint32Array.prototype,
    Buffer, Buffer.prototype, v8, crypto, hmacPrototype, v8.Serializer.prototype, v8.DefaultSerializer.prototype, v8.Deserializer.prototype,
    expect, chai, chai.Assertion, chai.Assertion.prototype, chai.util, chai.config, test, it, describe, suite, vi,
    ...(process.channel ? [getPrototypeOf(process.channel)] : []),
  ].filter((target) => !types.isModuleNamespaceObject(target));
}

/** Received values must be plain data: an object that carries asymmetricMatch() would make
 * toEqual() ask the learner's own code whether it equals the expected value. The walk reads data
 * properties without running code and runs each own getter once (as toEqual would); it stops after
 * a million property visits, so a huge value costs at most tens of milliseconds. */
function assertPlainReceived(value, seen = new Set(), budget = { visits: 1_000_000 }) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  if (seen.has(value) || --budget.visits < 0) return;
  seen.add(value);
  if (types.isProxy(value)) throw new AilabTamperError('a value under test is a Proxy');
  if (typeof value === 'object' && 'asymmetricMatch' in value) throw new AilabTamperError('a value under test carries an asymmetricMatch() method');
  if (typeof value === 'function') return;
  if (value instanceof Map) {
    for (const [k, v] of value) (assertPlainReceived(k, seen, budget), assertPlainReceived(v, seen, budget));
    return;
  }
  if (value instanceof Set) {
    for (const v of value) assertPlainReceived(v, seen, budget);
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  for (const key of ownKeys(value)) {
    if (--budget.visits < 0) return;
    const desc = getOwnPropertyDescriptor(value, key);
    if (!desc) continue;
    if ('value' in desc) assertPlainReceived(desc.value, seen, budget);
    else if (desc.enumerable && desc.get) assertPlainReceived(apply(desc.get, value, []), seen, budget);
  }
}

/** The equality matchers that consult asymmetricMatch() on the received side. */
const EQUALITY = ['toEqual', 'toStrictEqual', 'toMatchObject', 'toContainEqual', 'toHaveProperty', 'toContain', 'eql', 'equal', 'equals', 'eq'];

function guardEquality() {
  for (const name of EQUALITY) {
    if (!getOwnPropertyDescriptor(chai.Assertion.prototype, name)) continue;
    chai.util.overwriteMethod(chai.Assertion.prototype, name, (original) =>
      function guarded(...args) {
        assertPlainReceived(chai.util.flag(this, 'object'));
        return apply(original, this, args);
      },
    );
  }
}

/** Snapshot of every own property descriptor of the locked objects, taken after locking. */
let snapshot = [];
let probeFailed = false;

/** Freezes the framework and the built-ins; call once, before any learner module loads. */
export function lockDown() {
  guardEquality();
  // Nothing may read this process's heap: the inspector is already denied by Node's permission model.
  for (const name of ['getHeapSnapshot', 'writeHeapSnapshot', 'setFlagsFromString']) {
    v8[name] = () => {
      throw new AilabTamperError(`v8.${name}() is not available while checks run`);
    };
  }
  syncBuiltinESMExports();
  for (const target of [Object.prototype, Function.prototype, Array.prototype, Promise.prototype, Map.prototype, Set.prototype]) tameOverrides(target);
  const locked = lockedObjects();
  for (const target of locked) freeze(target);
  // The IPC channel's own methods can't be shadowed by new own properties either.
  if (process.channel) Object.preventExtensions(process.channel);
  for (const name of ['send', '_send', 'channel', 'exit', 'reallyExit', 'kill']) {
    const desc = getOwnPropertyDescriptor(process, name);
    if (desc && desc.configurable) defineProperty(process, name, { ...desc, ...('value' in desc ? { writable: false } : {}), configurable: false });
  }
  const state = getOwnPropertyDescriptor(globalThis, '__vitest_worker__');
  if (state?.configurable) defineProperty(globalThis, '__vitest_worker__', { value: state.value ?? globalThis.__vitest_worker__, writable: false, enumerable: false, configurable: false });
  const rpc = getOwnPropertyDescriptor(globalThis.__vitest_worker__ ?? {}, 'rpc');
  if (rpc?.configurable) defineProperty(globalThis.__vitest_worker__, 'rpc', { value: rpc.value, writable: false, enumerable: rpc.enumerable, configurable: false });
  snapshot = locked.map((target) => [target, ownKeys(target).map((key) => [key, getOwnPropertyDescriptor(target, key)])]);
}

/** The latched verdict of each guarded test, readable only from this module. */
const verdicts = new WeakMap();
let attestKey;

/** Takes the run's attestation key out of vitest's provided context, before learner code loads. */
export function takeKey(workerState) {
  const raw = workerState?.providedContext?.[KEY_NAME];
  for (const context of [workerState?.providedContext, workerState?.ctx?.providedContext]) if (context) delete context[KEY_NAME];
  attestKey = typeof raw === 'string' ? createSecretKey(bufferFrom(raw, 'hex')) : undefined;
}

/** Signs the test's latched verdict into task.meta, for the main process to check. */
export function attest(task) {
  const verdict = verdicts.get(task);
  if (!verdict || !attestKey) return;
  task.meta.ailab = attestation(attestKey, task.id, verdict() === 'fail' ? 'fail' : 'pass');
}

/** Pins a running test's flags and makes a failure permanent: a check that failed stays failed. */
export function guardTest(task) {
  for (const name of ['fails', 'retry', 'repeats']) {
    defineProperty(task, name, { value: task[name], writable: false, enumerable: true, configurable: false });
  }
  const latched = latch(task.result);
  verdicts.set(task, () => latched.state);
  let current = latched;
  defineProperty(task, 'result', {
    get: () => current,
    // vitest itself replaces the result only to mark a test skipped; anything else keeps the latch.
    set: (next) => {
      current = next && next.state === 'skip' && latched.state !== 'fail' ? next : latched;
    },
    enumerable: true,
    configurable: false,
  });
}

function latch(result) {
  let state = result.state;
  let failed = state === 'fail';
  const holder = { ...result };
  delete holder.state;
  return defineProperty(holder, 'state', {
    get: () => state,
    set: (next) => {
      if (failed) return;
      if (next === 'fail') failed = true;
      state = next;
    },
    enumerable: true,
    configurable: false,
  });
}

function describeTarget(target) {
  return typeof target === 'function' ? target.name || 'a function' : (target?.constructor?.name ?? 'an object');
}

/** Throws AilabTamperError when anything lockDown() froze has changed or assertions stopped failing. */
export function checkIntegrity() {
  if (probeFailed) throw new AilabTamperError('an earlier integrity check failed');
  for (const [target, props] of snapshot) {
    const now = ownKeys(target);
    if (!isFrozen(target) || now.length !== props.length) return fail(`${describeTarget(target)} was modified`);
    for (const [key, before] of props) {
      const after = getOwnPropertyDescriptor(target, key);
      if (!after || !objectIs(after.value, before.value) || after.get !== before.get || after.set !== before.set) {
        return fail(`${describeTarget(target)}.${String(key)} was replaced`);
      }
    }
  }
  const probes = [
    () => expect(1).toBe(2),
    () => expect({ a: 1 }).toEqual({ a: 2 }),
    () => expect([1, 2]).toStrictEqual([2, 1]),
    () => expect(0.5).toBeCloseTo(0.7),
    () => expect('abc').toContain('z'),
  ];
  for (const probe of probes) {
    let threw = false;
    try {
      probe();
    } catch {
      threw = true;
    }
    if (!threw) return fail('a failing assertion passed');
  }
}

function fail(what) {
  probeFailed = true;
  throw new AilabTamperError(what);
}
