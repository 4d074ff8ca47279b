import { describe, expect, test } from 'vitest';
import { decode, encode, type CodecLimits, type ErrorClasses } from '../../../runner/rpc/codec.ts';
import { RpcEncodeError, RpcProtocolError } from '../../../runner/rpc/errors.ts';
import { Counter, RagError, WeirdError } from './fixtures/rag-error.ts';

/** Encodes, sends through JSON text as the wire does, and decodes. */
function roundTrip(value: unknown, errorClasses?: ErrorClasses): unknown {
  return decode(JSON.parse(JSON.stringify(encode(value, { path: 'args' }))), { errorClasses });
}

function encodeError(value: unknown, limits?: Partial<CodecLimits>): RpcEncodeError {
  try {
    encode(value, { path: 'args', limits });
  } catch (error) {
    expect(error).toBeInstanceOf(RpcEncodeError);
    return error as RpcEncodeError;
  }
  throw new Error('encode did not throw');
}

function decodeError(wire: unknown): RpcProtocolError {
  try {
    decode(wire, { path: 'result' });
  } catch (error) {
    expect(error).toBeInstanceOf(RpcProtocolError);
    return error as RpcProtocolError;
  }
  throw new Error('decode did not throw');
}

describe('codec: values', () => {
  test.each([
    ['null', null],
    ['true', true],
    ['a string', 'héllo\n"quoted"'],
    ['an integer', 42],
    ['a float', 0.1 + 0.2],
    ['an array', [1, 'two', [3, [4]]]],
    ['an object', { a: 1, b: { c: [true, null] } }],
    ['an empty array and object', [[], {}]],
  ])('JSON data crosses as itself: %s', (_name, value) => {
    expect(roundTrip(value)).toStrictEqual(value);
  });

  test('undefined, NaN, the infinities and -0 keep themselves, alone and inside arrays and objects', () => {
    const back = roundTrip([undefined, NaN, Infinity, -Infinity, -0, { u: undefined, n: NaN, z: -0 }]) as unknown[];
    expect(back).toHaveLength(6);
    expect(back[0]).toBeUndefined();
    expect(back[1]).toBeNaN();
    expect(back[2]).toBe(Infinity);
    expect(back[3]).toBe(-Infinity);
    expect(Object.is(back[4], -0)).toBe(true);
    const obj = back[5] as Record<string, unknown>;
    expect(Object.keys(obj)).toEqual(['u', 'n', 'z']);
    expect(obj.u).toBeUndefined();
    expect(obj.n).toBeNaN();
    expect(Object.is(obj.z, -0)).toBe(true);
    expect(roundTrip(undefined)).toBeUndefined();
    expect(Object.is(roundTrip(0), 0)).toBe(true);
  });

  test('bigint, Date (valid and invalid), RegExp', () => {
    expect(roundTrip(12345678901234567890123n)).toBe(12345678901234567890123n);
    expect(roundTrip(-7n)).toBe(-7n);
    const date = roundTrip(new Date('2024-05-06T07:08:09.010Z'));
    expect(date).toBeInstanceOf(Date);
    expect((date as Date).toISOString()).toBe('2024-05-06T07:08:09.010Z');
    expect(Number.isNaN((roundTrip(new Date('nope')) as Date).getTime())).toBe(true);
    const re = roundTrip(/a+b/giu) as RegExp;
    expect(re).toBeInstanceOf(RegExp);
    expect([re.source, re.flags]).toEqual(['a+b', 'giu']);
  });

  test('Map and Set keep their entries, order and non-string keys', () => {
    const map = new Map<unknown, unknown>([[1, 'one'], ['k', { deep: [1n] }], [{ obj: true }, new Set([1, 2])]]);
    const back = roundTrip(map) as Map<unknown, unknown>;
    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toEqual([1, 'k', { obj: true }]);
    expect(back.get('k')).toEqual({ deep: [1n] });
    expect([...back.values()][2]).toEqual(new Set([1, 2]));
    expect(roundTrip(new Set(['b', 'a', undefined]))).toEqual(new Set(['b', 'a', undefined]));
  });

  test.each([
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
  ])('%o keeps its type and values', (Ctor) => {
    const value = new Ctor([1, 2, 3, 250]);
    const back = roundTrip(value);
    expect(Object.getPrototypeOf(back)).toBe(Ctor.prototype);
    expect(Array.from(back as ArrayLike<number>)).toEqual(Array.from(value));
  });

  test('Float64Array keeps NaN, -0 and exact bits; bigint arrays, ArrayBuffer and views at an offset cross', () => {
    const floats = roundTrip(new Float64Array([0.1, NaN, -0, Infinity, 1e-310])) as Float64Array;
    expect(floats).toBeInstanceOf(Float64Array);
    expect(floats[0]).toBe(0.1);
    expect(floats[1]).toBeNaN();
    expect(Object.is(floats[2], -0)).toBe(true);
    expect(floats[4]).toBe(1e-310);
    expect(roundTrip(new BigInt64Array([-1n, 2n ** 62n]))).toEqual(new BigInt64Array([-1n, 2n ** 62n]));
    expect(roundTrip(new BigUint64Array([2n ** 64n - 1n]))).toEqual(new BigUint64Array([2n ** 64n - 1n]));
    const buffer = roundTrip(new Uint8Array([9, 8, 7]).buffer);
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(buffer as ArrayBuffer)]).toEqual([9, 8, 7]);
    const view = new Float32Array(new Float32Array([1, 2, 3, 4]).buffer, 8, 2);
    expect(roundTrip(view)).toEqual(new Float32Array([3, 4]));
  });

  test('Buffer arrives as a Buffer, Uint8Array as a Uint8Array, both as their bytes', () => {
    const buf = roundTrip(Buffer.from('héllo'));
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect((buf as Buffer).toString()).toBe('héllo');
    const bytes = roundTrip(new Uint8Array([0, 255, 128]));
    expect(Buffer.isBuffer(bytes)).toBe(false);
    expect(bytes).toEqual(new Uint8Array([0, 255, 128]));
  });

  test('a plain object with the tag key, or shaped like a tagged value, round-trips as itself', () => {
    for (const value of [
      { $rpc: 'undefined' },
      { $rpc: 'function', id: 1, name: 'x' },
      { $rpc: 'object', v: { $rpc: 'bytes' } },
      { nested: [{ $rpc: 'handle', id: 2 }] },
    ]) {
      expect(roundTrip(value)).toStrictEqual(value);
    }
  });

  test('a null-prototype object arrives as a plain object; a "__proto__" key is an own key and pollutes nothing', () => {
    const nullProto = Object.assign(Object.create(null), { a: 1 });
    expect(roundTrip(nullProto)).toEqual({ a: 1 });
    const evil = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const back = roundTrip(evil) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((back as { polluted?: unknown }).polluted).toBeUndefined();
  });

  test('a value shared in two places (not a cycle) crosses twice', () => {
    const shared = { x: 1 };
    expect(roundTrip({ a: shared, b: [shared] })).toEqual({ a: { x: 1 }, b: [{ x: 1 }] });
  });

  test('sparse array holes arrive as undefined', () => {
    expect(roundTrip([1, , 3])).toStrictEqual([1, undefined, 3]);
  });
});

describe('codec: errors', () => {
  test.each([Error, RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError])('%o is rebuilt as itself', (Ctor) => {
    const back = roundTrip(new Ctor('it broke')) as Error;
    expect(back).toBeInstanceOf(Ctor);
    expect(Object.getPrototypeOf(back)).toBe(Ctor.prototype);
    expect(back.name).toBe(Ctor.name);
    expect(back.message).toBe('it broke');
  });

  test('AggregateError keeps its errors, each rebuilt', () => {
    const back = roundTrip(new AggregateError([new RangeError('a'), 'plain'], 'many')) as AggregateError;
    expect(back).toBeInstanceOf(AggregateError);
    expect(back.message).toBe('many');
    expect(back.errors[0]).toBeInstanceOf(RangeError);
    expect(back.errors[1]).toBe('plain');
  });

  test('a custom class in the receiver registry is rebuilt as that class, keeping code and props', () => {
    const err = Object.assign(new RagError('E_RAG_EMPTY', 'the index is empty'), { docs: 0, ids: new Set([1]) });
    const back = roundTrip(err, { RagError }) as RagError & { docs: number; ids: Set<number> };
    expect(back).toBeInstanceOf(RagError);
    expect(back).toBeInstanceOf(Error);
    expect(back.name).toBe('RagError');
    expect(back.code).toBe('E_RAG_EMPTY');
    expect(back.message).toBe('the index is empty');
    expect(back.docs).toBe(0);
    expect(back.ids).toEqual(new Set([1]));
  });

  test('an unknown custom class becomes a plain Error with the same name, message and code', () => {
    const back = roundTrip(new WeirdError('odd')) as Error & { code: string };
    expect(Object.getPrototypeOf(back)).toBe(Error.prototype);
    expect(back.name).toBe('WeirdError');
    expect(back.message).toBe('odd');
    expect(back.code).toBe('E_WEIRD');
    const rag = roundTrip(new RagError('E_RAG', 'not registered')) as Error & { code: string };
    expect(rag).not.toBeInstanceOf(RagError);
    expect([rag.name, rag.code]).toEqual(['RagError', 'E_RAG']);
  });

  test('an unknown subclass of a built-in becomes that built-in, keeping its name', () => {
    class BudgetError extends RangeError {}
    const back = roundTrip(new BudgetError('over budget')) as Error;
    expect(back).toBeInstanceOf(RangeError);
    expect(back.name).toBe('RangeError');
  });

  test('a non-enumerable or inherited code is kept', () => {
    const err = new Error('sys');
    Object.defineProperty(err, 'code', { value: 'ENOENT', enumerable: false });
    expect((roundTrip(err) as { code?: string }).code).toBe('ENOENT');
  });

  test('the cause chain is rebuilt, class by class', () => {
    const err = new Error('outer', { cause: new TypeError('middle', { cause: new RagError('E_INNER', 'inner', { cause: 'a string' }) }) });
    const back = roundTrip(err, { RagError }) as Error;
    const middle = back.cause as Error;
    const inner = middle.cause as RagError;
    expect(back.message).toBe('outer');
    expect(middle).toBeInstanceOf(TypeError);
    expect(inner).toBeInstanceOf(RagError);
    expect(inner.code).toBe('E_INNER');
    expect(inner.cause).toBe('a string');
  });

  test("the sender's stack is kept as inert text in remoteStack; the local stack does not pretend to be it", () => {
    const err = new RangeError('deep');
    const back = roundTrip(err) as Error & { remoteStack?: string };
    expect(back.remoteStack).toBe(err.stack);
    expect(back.stack).toBe('RangeError: deep\n    at <rpc peer>');
    expect(Object.keys(back)).toEqual([]);
  });

  test("a peer's props cannot replace message, stack or remoteStack, nor make name a non-string", () => {
    const wire = {
      $rpc: 'error', cls: 'Error', base: 'Error', name: 'Error', message: 'real', stack: 'remote',
      props: { message: 'fake', stack: 'fake', remoteStack: 'fake', cause: 'fake', name: { $rpc: 'undefined' }, extra: 1 },
    };
    const back = decode(wire) as Error & { remoteStack: string; extra: number };
    expect([back.message, back.remoteStack, back.name, back.extra, Object.hasOwn(back, 'cause')]).toEqual(['real', 'remote', 'Error', 1, false]);
  });

  test('a thrown error whose cause is itself is a cycle error, not a hang', () => {
    const err = new Error('loop');
    (err as { cause?: unknown }).cause = err;
    expect(encodeError(err).code).toBe('E_RPC_CYCLE');
  });
});

describe('codec: what cannot cross', () => {
  test('a Symbol deep inside names its path', () => {
    const value = [{ items: [0, 1, 2, { vector: Symbol('v') }] }];
    const error = encodeError(value);
    expect(error.code).toBe('E_RPC_UNSUPPORTED');
    expect(error.path).toBe('args[0].items[3].vector');
    expect(error.message).toMatch(/^args\[0\]\.items\[3\]\.vector: a Symbol \(v\) cannot cross/);
  });

  test.each([
    ['a WeakMap', { m: new WeakMap() }, 'args.m', /WeakMap/],
    ['a WeakSet', [new WeakSet()], 'args[0]', /WeakSet/],
    ['a nested Promise', { p: Promise.resolve(1) }, 'args.p', /Promise inside a value \(await it first\)/],
    ['a WeakRef', { r: new WeakRef({}) }, 'args.r', /WeakRef/],
    ['a symbol key', { o: { [Symbol('k')]: 1 } }, 'args.o[Symbol(k)]', /Symbol key/],
    ['an odd key', { 'odd key': Symbol('s') }, 'args["odd key"]', /Symbol/],
    ['a map value', new Map([['k', Symbol('s')]]), 'args.<value 0>', /Symbol/],
    ['a function, with no channel', { f: () => 1 }, 'args.f', /crosses only over a channel/],
    ['a class instance, with no channel', { c: new Counter() }, 'args.c', /a Counter instance crosses only over a channel, as a handle/],
    ['a DataView', new DataView(new ArrayBuffer(2)), 'args', /DataView/],
  ])('%s is a typed error naming its path', (_name, value, path, message) => {
    const error = encodeError(value);
    expect(error.code).toBe('E_RPC_UNSUPPORTED');
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
  });

  test('a cycle is E_RPC_CYCLE at the path where it closes', () => {
    const a: Record<string, unknown> = { list: [] };
    (a.list as unknown[]).push({ back: a });
    const error = encodeError({ a });
    expect(error.code).toBe('E_RPC_CYCLE');
    expect(error.path).toBe('args.a.list[0].back');
    const map = new Map<string, unknown>();
    map.set('self', map);
    expect(encodeError(map).code).toBe('E_RPC_CYCLE');
  });

  test('64 levels cross; 65 are E_RPC_TOO_DEEP, and a million levels never overflow the stack', () => {
    const nest = (levels: number) => {
      let v: unknown = 1;
      for (let i = 0; i < levels; i++) v = [v];
      return v;
    };
    expect(roundTrip(nest(64))).toEqual(nest(64));
    expect(encodeError(nest(65)).code).toBe('E_RPC_TOO_DEEP');
    expect(encodeError(nest(1_000_000)).code).toBe('E_RPC_TOO_DEEP');
    let obj: Record<string, unknown> = {};
    const root = obj;
    for (let i = 0; i < 100; i++) obj = obj.next = {};
    expect(encodeError(root).path).toMatch(/^args(\.next){64}$/);
  });

  test('a value over the size budget is E_RPC_TOO_LARGE, fast, even when sharing would blow it up exponentially', () => {
    let v: unknown = [1];
    for (let i = 0; i < 40; i++) v = [v, v]; // 2^40 leaves if copied out
    const started = Date.now();
    expect(encodeError(v, { maxNodes: 100_000, maxDepth: 64 }).code).toBe('E_RPC_TOO_LARGE');
    expect(encodeError(new Array(2_000_000).fill(0)).code).toBe('E_RPC_TOO_LARGE');
    expect(encodeError('x'.repeat(1000), { maxBytes: 999 }).code).toBe('E_RPC_TOO_LARGE');
    expect(encodeError(new Float64Array(200), { maxBytes: 1000 }).code).toBe('E_RPC_TOO_LARGE');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('codec: malformed wire data is a typed error', () => {
  test.each([
    ['an unknown tag', { $rpc: 'eval', v: 'process.exit()' }, /unknown tag "eval"/],
    ['a special number that is not one', { $rpc: 'number', v: '42' }, /special number/],
    ['a bigint that is not digits', { $rpc: 'bigint', v: '1e9' }, /bigint/],
    ['bytes of an unknown type', { $rpc: 'bytes', type: 'Proxy', v: '' }, /unknown type "Proxy"/],
    ['bytes that are not base64', { $rpc: 'bytes', type: 'Uint8Array', v: '!!!!' }, /base64/],
    ['a Float64Array of 3 bytes', { $rpc: 'bytes', type: 'Float64Array', v: 'AAAA' }, /whole number of Float64Array/],
    ['a tag without its field', { $rpc: 'date' }, /without its "v" field/],
    ['a map entry that is not a pair', { $rpc: 'map', v: [[1]] }, /\[key, value\] pair/],
    ['an error without a message', { $rpc: 'error', cls: 'Error', base: 'Error', name: 'Error' }, /without its class, name and message/],
    ['a regexp that does not compile', { $rpc: 'regexp', source: '(', flags: '' }, /does not compile/],
    ['a callback, with no channel', { $rpc: 'function', id: 1, name: 'f' }, /crosses only over a channel/],
    ['a reference with a bad id', { $rpc: 'yours', id: -1 }, /positive integer/],
    ['no value at all', undefined, /no value/],
  ])('%s', (_name, wire, message) => {
    expect(decodeError(wire).message).toMatch(message);
  });

  test('a tag inherited from a polluted Object.prototype is not a tag', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.$rpc = 'undefined';
    try {
      expect(decode({ a: 1 })).toEqual({ a: 1 });
      expect(decode({ $rpc: 'date', v: 0 })).toEqual(new Date(0));
    } finally {
      delete proto.$rpc;
    }
  });

  test('data nested deeper than the bound is rejected without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(decodeError(deep).message).toMatch(/deeper than 64 levels/);
  });

  test('a registry class that is not an Error class is ignored', () => {
    const wire = encode(new RangeError('x'));
    const back = decode(wire, { errorClasses: { RangeError: class NotAnError {} as unknown as ErrorClasses[string] } });
    expect(back).toBeInstanceOf(RangeError);
  });
});
