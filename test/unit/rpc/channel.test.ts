import { describe, expect, test } from 'vitest';
import { createChannel, type Channel } from '../../../runner/rpc/channel.ts';
import { isPeerError } from '../../../runner/rpc/codec.ts';
import {
  RpcClosedError,
  RpcEncodeError,
  RpcHandleError,
  RpcProtocolError,
  RpcTimeoutError,
  RpcUnknownMethodError,
} from '../../../runner/rpc/errors.ts';
import { isRemote, release } from '../../../runner/rpc/refs.ts';
import { Counter, RagError, throwers, WeirdError } from './fixtures/rag-error.ts';
import { channelPair, rawPeer, rejection, replyCode } from './pair.ts';

/** The learner side's module, as a lab would export it. */
function learnerExports() {
  const shared = new Counter(100);
  return {
    add: (a: number, b: number) => a + b,
    echo: <T>(value: T) => value,
    ...throwers,
    throwString: () => {
      throw 'just a string';
    },
    throwUndefined: () => {
      throw undefined;
    },
    returnSymbol: () => ({ ok: 1, bad: Symbol('nope') }),
    makeCounter: (start: number) => new Counter(start),
    sharedCounter: () => shared,
    countOf: (counter: Counter) => (counter instanceof Counter ? counter.count : 'not a Counter'),
    Counter,
    sumWith: async (xs: number[], f: (x: number) => Promise<number>) => {
      let sum = 0;
      for (const x of xs) sum += await f(x);
      return sum;
    },
    callTwice: async (f: () => Promise<unknown>) => [await f(), await f()],
    hang: () => new Promise(() => {}),
    slow: (ms: number, value: unknown) => new Promise((r) => setTimeout(() => r(value), ms)),
  };
}

type Learner = ReturnType<typeof learnerExports>;

function learnerPair(options: { timeoutMs?: number; checksExpose?: Record<string, (...args: any[]) => unknown> } = {}) {
  const protocolErrors: RpcProtocolError[] = [];
  const pair = channelPair<never, Learner>(
    { timeoutMs: options.timeoutMs ?? 5000, errorClasses: { RagError }, expose: options.checksExpose, onProtocolError: (e) => protocolErrors.push(e) },
    { timeoutMs: 5000, expose: learnerExports() },
  );
  return { checks: pair.left, learner: pair.right, protocolErrors, pair };
}

describe('calls', () => {
  test('a call crosses and its result comes back decoded, both ways at once', async () => {
    const { checks } = learnerPair();
    expect(await checks.call('add', 2, 3)).toBe(5);
    const value = { n: NaN, big: 2n ** 70n, when: new Date(1), m: new Map([['k', new Float64Array([0.5])]]), u: undefined };
    expect(await checks.call('echo', value)).toEqual(value);
    const many = await Promise.all(Array.from({ length: 50 }, (_, i) => checks.call('add', i, i)));
    expect(many).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i));
  });

  test('an argument that cannot cross is an RpcEncodeError naming its path, and nothing is sent', async () => {
    const { checks } = learnerPair();
    const error = await rejection(checks.call('echo', { items: [0, 1, 2, { vector: new WeakMap() }] }));
    expect(error).toBeInstanceOf(RpcEncodeError);
    expect(error.path).toBe('args[0].items[3].vector');
    expect(await checks.call('add', 1, 1)).toBe(2);
  });

  test('a result that cannot cross is an RpcEncodeError on the caller, naming the path on the other side', async () => {
    const { checks } = learnerPair();
    const error = await rejection(checks.call('returnSymbol'));
    expect(error).toBeInstanceOf(RpcEncodeError);
    expect(error.code).toBe('E_RPC_UNSUPPORTED');
    expect(error.path).toBe('result.bad');
  });

  test('a function the other side does not expose is RpcUnknownMethodError listing what it does expose', async () => {
    const { checks } = learnerPair();
    const loose = checks as unknown as Channel<Record<string, () => unknown>>;
    const error = await rejection(loose.call('nope'));
    expect(error).toBeInstanceOf(RpcUnknownMethodError);
    expect(error.message).toMatch(/"nope" is not a function the other side exposes \(it exposes add, echo, /);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(await rejection(loose.call(name))).toBeInstanceOf(RpcUnknownMethodError);
    }
    expect((await rejection(loose.call('$handle'))).message).toMatch(/reserved for the channel/);
  });

  test('an exposed name starting with "$", or a value that is not a function, is refused at creation', () => {
    const base = { post: () => {}, on: () => {}, timeoutMs: 1000 };
    expect(() => createChannel({ ...base, expose: { $handle: () => 1 } })).toThrow(/may not start with "\$"/);
    expect(() => createChannel({ ...base, expose: { x: 1 as unknown as () => void } })).toThrow(/is a number, not a function/);
    expect(() => createChannel({ ...base, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createChannel({ ...base, timeoutMs: 2 ** 40 })).toThrow(/timeoutMs/);
  });
});

describe('errors thrown on the other side', () => {
  test('a RangeError is still instanceof RangeError, with its message and the remote stack kept apart', async () => {
    const { checks } = learnerPair();
    const error = await rejection(checks.call('throwRange', 7));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('7 is out of range');
    expect(error.remoteStack).toMatch(/^RangeError: 7 is out of range\n/);
    expect(error.stack).toBe('RangeError: 7 is out of range\n    at <rpc peer>');
  });

  test('a RagError is rebuilt from the registry and keeps its code; an unknown class keeps name and code', async () => {
    const { checks } = learnerPair();
    const rag = await rejection(checks.call('throwRag'));
    expect(rag).toBeInstanceOf(RagError);
    expect(rag.code).toBe('E_RAG_EMPTY');
    const weird = await rejection(checks.call('throwWeird'));
    expect(Object.getPrototypeOf(weird)).toBe(Error.prototype);
    expect([weird.name, weird.message, weird.code]).toEqual(['WeirdError', 'odd', 'E_WEIRD']);
  });

  test("a peer's error can claim any class and code, but isPeerError tells it from a local one", async () => {
    const { checks } = learnerPair({ timeoutMs: 150 });
    const claimed = await rejection(checks.call('throwRag'));
    expect(isPeerError(claimed)).toBe(true);
    const timeout = await rejection(checks.call('hang'));
    expect(isPeerError(timeout)).toBe(false);
    expect(isPeerError(new RagError('E', 'local'))).toBe(false);
  });

  test('a thrown non-error crosses as the value thrown, even undefined', async () => {
    const { checks } = learnerPair();
    expect(await rejection(checks.call('throwString'))).toBe('just a string');
    expect(await rejection(checks.call('throwUndefined'))).toBeUndefined();
  });
});

describe('handles', () => {
  test('a class instance becomes a handle: method calls change the state on its own side', async () => {
    const { checks } = learnerPair();
    const counter = await checks.call('makeCounter', 10);
    expect(isRemote(counter)).toBe(true);
    expect(await counter.add(5)).toBe(15);
    expect(await counter.add(-2)).toBe(13);
    expect(await counter.snapshot()).toEqual({ count: 13, history: [5, -2] });
    const other = await checks.construct('Counter', 1);
    expect(await other.add(1)).toBe(2);
    expect(await counter.snapshot()).toEqual({ count: 13, history: [5, -2] });
  });

  test('the same object sent twice is the same handle; sent back, it is the original object again', async () => {
    const { checks } = learnerPair();
    const a = await checks.call('sharedCounter');
    const b = await checks.call('sharedCounter');
    expect(a).toBe(b);
    await a.add(1);
    expect(await checks.call('countOf', a as unknown as Counter)).toBe(101);
    expect(await checks.call('countOf', { count: 3 } as unknown as Counter)).toBe('not a Counter');
  });

  test('a handle carries methods only: reading a field or getter is a clear error; unknown names are undefined', async () => {
    const { checks } = learnerPair();
    const counter = await checks.call('makeCounter', 0);
    expect(() => counter.count).toThrow(RpcHandleError);
    expect(() => counter.count).toThrow('Counter#1.count is not a method: a handle carries method calls only, not property reads');
    expect(() => counter.doubled).toThrow(/E?doubled is not a method/);
    expect((counter as unknown as Record<string, unknown>).nothing).toBeUndefined();
    expect((counter as unknown as { then?: unknown }).then).toBeUndefined(); // so that awaiting a handle is harmless
    expect(() => {
      (counter as unknown as Record<string, unknown>).add = 1;
    }).toThrow(RpcHandleError);
    expect('add' in counter).toBe(true);
  });

  test('a released handle fails at once with E_RPC_RELEASED; the owner lets go of it; a new send is a new handle', async () => {
    const { checks } = learnerPair();
    const counter = await checks.call('sharedCounter');
    const add = counter.add;
    release(counter);
    release(counter); // idempotent
    const error = await rejection(add(1));
    expect(error).toBeInstanceOf(RpcHandleError);
    expect(error.code).toBe('E_RPC_RELEASED');
    expect(error.message).toMatch(/^Counter#\d+ was released/);
    const again = await checks.call('sharedCounter');
    expect(again).not.toBe(counter);
    expect(await again.add(1)).toBe(101);
    await (again as unknown as { [Symbol.asyncDispose](): Promise<void> })[Symbol.asyncDispose]();
    expect((await rejection(again.add(1))).code).toBe('E_RPC_RELEASED');
  });

  test('every handle dies when the channel closes: its calls fail with RpcClosedError', async () => {
    const { checks } = learnerPair();
    const counter = await checks.call('makeCounter', 0);
    checks.close('the check finished');
    const error = await rejection(counter.add(1));
    expect(error).toBeInstanceOf(RpcClosedError);
    expect(error.message).toBe('the call to Counter#1.add failed: the channel closed (the check finished)');
  });
});

describe('callbacks', () => {
  test("the learner calls the checks' callback, which runs and records on the checks' side; its result returns", async () => {
    const { checks } = learnerPair();
    const recorded: number[] = [];
    const fakeModel = (x: number) => {
      recorded.push(x);
      return x * 10;
    };
    expect(await checks.call('sumWith', [1, 2, 3], fakeModel as unknown as (x: number) => Promise<number>)).toBe(60);
    expect(recorded).toEqual([1, 2, 3]);
  });

  test("a callback's error crosses back to the learner, and its rethrow to the checks", async () => {
    const { checks } = learnerPair();
    const failing = () => {
      throw new RagError('E_MODEL', 'the model is down');
    };
    const error = await rejection(checks.call('callTwice', failing as unknown as () => Promise<unknown>));
    // The learner side has no RagError in its registry: it sees a plain Error with code, and rethrows it.
    expect(error.name).toBe('RagError');
    expect(error.code).toBe('E_MODEL');
  });

  test('the same callback keeps one id; a callback from one channel cannot be passed over another', async () => {
    const { checks } = learnerPair();
    let calls = 0;
    const count = () => ++calls;
    expect(await checks.call('callTwice', count as unknown as () => Promise<unknown>)).toEqual([1, 2]);
    const other = learnerPair();
    const handle = await checks.call('makeCounter', 0);
    const error = await rejection(other.checks.call('echo', handle));
    expect(error).toBeInstanceOf(RpcEncodeError);
    expect(error.message).toMatch(/a handle from another channel cannot cross this one/);
  });
});

describe('timeouts and closing', () => {
  test('a reply that never comes is RpcTimeoutError naming the method and the limit; the channel goes on', async () => {
    const { checks } = learnerPair({ timeoutMs: 200 });
    const started = Date.now();
    const error = await rejection(checks.call('hang'));
    expect(error).toBeInstanceOf(RpcTimeoutError);
    expect(error.code).toBe('E_RPC_TIMEOUT');
    expect(error.message).toBe('the call to hang got no reply within 200 ms');
    expect([error.method, error.timeoutMs]).toEqual(['hang', 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(await checks.call('add', 1, 2)).toBe(3);
  });

  test('a late reply, after the timeout, is dropped', async () => {
    const { checks } = learnerPair({ timeoutMs: 100 });
    expect(await rejection(checks.call('slow', 300, 'late'))).toBeInstanceOf(RpcTimeoutError);
    await new Promise((r) => setTimeout(r, 350));
    expect(await checks.call('slow', 0, 'fresh')).toBe('fresh');
  });

  test("a handle method's timeout names the handle", async () => {
    const { checks } = createHangingHandle();
    const counter = await checks.call('makeCounter', 0);
    const error = await rejection(counter.add(1));
    expect(error.message).toBe('the call to Stuck#1.add got no reply within 150 ms');
  });

  test('when the transport ends mid-call, every pending call rejects at once with RpcClosedError', async () => {
    const { checks, pair } = learnerPair({ timeoutMs: 10_000 });
    const calls = [checks.call('hang'), checks.call('hang'), checks.call('slow', 5000, 1)];
    await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    pair.right.close('the learner went away');
    const errors = await Promise.all(calls.map(rejection));
    expect(Date.now() - started).toBeLessThan(1000);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RpcClosedError);
      expect(error.message).toMatch(/^the call to (hang|slow) failed: the channel closed \(the peer closed the channel\)$/);
    }
    expect(checks.closedReason?.message).toBe('the peer closed the channel');
    expect(await rejection(checks.call('add', 1, 1))).toBeInstanceOf(RpcClosedError);
  });

  test('close() is idempotent and tells onClose once, with the reason', async () => {
    const reasons: string[] = [];
    const channel = createChannel({ post: () => {}, on: () => {}, timeoutMs: 1000, onClose: (r) => reasons.push(r.message) });
    const pending = channel.call('x');
    channel.close(new Error('first'));
    channel.close('second');
    expect(reasons).toEqual(['first']);
    expect((await rejection(pending)).cause.message).toBe('first');
  });
});

/** A checks side whose learner holds a handle whose methods never answer. */
function createHangingHandle() {
  class Stuck {
    add() {
      return new Promise(() => {});
    }
  }
  const pair = channelPair({ timeoutMs: 150 }, { timeoutMs: 5000, expose: { makeCounter: () => new Stuck() } });
  return { checks: pair.left as unknown as { call(name: 'makeCounter', n: number): Promise<{ add(n: number): Promise<number> }> } };
}

describe('a forging peer', () => {
  const expose = () => {
    const ran: string[] = [];
    return { ran, expose: { ping: () => (ran.push('ping'), 'pong') } };
  };

  test('a reply with a wrong id resolves nothing; the honest reply does', async () => {
    const errors: RpcProtocolError[] = [];
    const peer = rawPeer({ timeoutMs: 5000, onProtocolError: (e) => errors.push(e) });
    const call = peer.channel.call('work', 1);
    const request = await peer.next((m) => m.t === 'q');
    expect(request).toMatchObject({ m: 'work', a: [1] });
    peer.send({ t: 's', i: `${request.i}x`, r: 666 });
    peer.send({ t: 's', i: 'A'.repeat(21), r: 667 });
    peer.send({ t: 's', r: 668 });
    peer.send({ t: 's', i: request.i, r: 42 });
    expect(await call).toBe(42);
    peer.send({ t: 's', i: request.i, r: 43 }); // a second reply to the same call is dropped
    const again = peer.channel.call('again');
    const second = await peer.next((m) => m.t === 'q' && m.m === 'again');
    peer.send({ t: 's', i: second.i, r: 44 });
    expect(await again).toBe(44);
    expect(errors).toHaveLength(1); // the reply without an id; replies to unknown ids are dropped silently
  });

  test('calls to names it does not expose, to prototype members and to reserved names run nothing', async () => {
    const { ran, expose: exposed } = expose();
    const peer = rawPeer({ timeoutMs: 5000, expose: exposed });
    const forged = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'secret', ''];
    forged.forEach((m, i) => peer.send({ t: 'q', i: `f${i}`, m, a: [] }));
    for (let i = 0; i < forged.length; i++) {
      const reply = await peer.reply(`f${i}`);
      expect(replyCode(reply)).toBe('E_RPC_UNKNOWN_METHOD');
      expect(reply.e.thrown.cls).toBe('RpcUnknownMethodError');
    }
    peer.send({ t: 'q', i: 'n1', m: '$new', a: ['constructor'] });
    peer.send({ t: 'q', i: 'n2', m: '$new', a: ['ping'] });
    expect(replyCode(await peer.reply('n1'))).toBe('E_RPC_UNKNOWN_METHOD');
    expect((await peer.reply('n2')).e).toBeDefined(); // an arrow function is no constructor
    expect(ran).toEqual([]);
    peer.send({ t: 'q', i: 'ok', m: 'ping', a: [] });
    expect((await peer.reply('ok')).r).toBe('pong');
    expect(ran).toEqual(['ping']);
  });

  test('a call on a handle or callback id never handed out, or a method a handle does not advertise, is rejected', async () => {
    const peer = rawPeer({ timeoutMs: 5000, expose: { counter: () => new Counter(5) } });
    peer.send({ t: 'q', i: 'c', m: 'counter', a: [] });
    const handle = (await peer.reply('c')).r;
    expect(handle).toMatchObject({ $rpc: 'handle', cls: 'Counter', methods: ['add', 'snapshot'], props: ['count', 'history', 'doubled'] });
    const forged: [string, unknown[], string][] = [
      ['$handle', [handle.id + 1, 'add', 1], 'E_RPC_UNKNOWN_REF'],
      ['$handle', ['1', 'add', 1], 'E_RPC_UNKNOWN_REF'],
      ['$handle', [handle.id, 'constructor'], 'E_RPC_UNKNOWN_METHOD'],
      ['$handle', [handle.id, '__proto__'], 'E_RPC_UNKNOWN_METHOD'],
      ['$handle', [handle.id, 'count'], 'E_RPC_UNKNOWN_METHOD'],
      ['$handle', [handle.id, 'hasOwnProperty', 'x'], 'E_RPC_UNKNOWN_METHOD'],
      ['$callback', [1], 'E_RPC_UNKNOWN_REF'],
      ['$callback', [handle.id], 'E_RPC_UNKNOWN_REF'],
      ['counter', [{ $rpc: 'yours', id: 999 }], 'E_RPC_UNKNOWN_REF'],
      ['counter', [{ $rpc: 'nope' }], 'E_RPC_PROTOCOL'],
    ];
    forged.forEach(([m, a], i) => peer.send({ t: 'q', i: `h${i}`, m, a }));
    for (let i = 0; i < forged.length; i++) expect([i, replyCode(await peer.reply(`h${i}`))]).toEqual([i, forged[i][2]]);
    peer.send({ t: 'q', i: 'add', m: '$handle', a: [handle.id, 'add', 2] });
    expect((await peer.reply('add')).r).toBe(7);
    peer.send({ t: 'q', m: '$release', a: [handle.id, 1] });
    peer.send({ t: 'q', i: 'gone', m: '$handle', a: [handle.id, 'add', 2] });
    expect(replyCode(await peer.reply('gone'))).toBe('E_RPC_UNKNOWN_REF');
  });

  test('garbage lines are reported and dropped; a malformed call with an id gets an error reply; the channel goes on', async () => {
    const errors: RpcProtocolError[] = [];
    const peer = rawPeer({ timeoutMs: 5000, expose: { ping: () => 'pong' }, onProtocolError: (e) => errors.push(e) });
    for (const line of ['not json', '[1,2]', '"text"', 'null', '{"t":"x"}', '{"t":"q"}', '{"t":"s"}', '{"t":"q","i":5,"m":"ping","a":[]}', '{"t":"q","m":"$release","a":["x"]}', `${'['.repeat(50_000)}${']'.repeat(50_000)}`]) {
      peer.send(line);
    }
    peer.send({ t: 'q', i: 'bad', m: 'ping' });
    expect(replyCode(await peer.reply('bad'))).toBe('E_RPC_PROTOCOL');
    peer.send({ t: 'q', i: 'ok', m: 'ping', a: [] });
    expect((await peer.reply('ok')).r).toBe('pong');
    expect(errors.length).toBeGreaterThanOrEqual(10);
    expect(errors.every((e) => e instanceof RpcProtocolError)).toBe(true);
    expect(peer.channel.closedReason).toBeUndefined();
  });

  test('a malformed reply rejects its own call with a typed error, at once', async () => {
    const peer = rawPeer({ timeoutMs: 5000 });
    const replies: [unknown, unknown][] = [
      [{ r: { $rpc: 'eval', v: 'x' } }, RpcProtocolError],
      [{ e: 5 }, RpcProtocolError],
      [{ e: { thrown: { $rpc: 'error' } } }, RpcProtocolError],
      [{}, RpcProtocolError],
      [{ r: { $rpc: 'yours', id: 1 } }, RpcHandleError],
      [{ r: { then: { $rpc: 'function', id: 1, name: 'then' } } }, RpcEncodeError],
    ];
    for (const [fields, type] of replies) {
      const call = peer.channel.call('work');
      const request = await peer.next((m) => m.t === 'q' && m.m === 'work');
      peer.send({ t: 's', i: request.i, ...(fields as object) });
      expect(await rejection(call)).toBeInstanceOf(type);
    }
  });

  test('an oversized line closes the channel with E_RPC_MESSAGE_TOO_LARGE; the pending call fails with RpcClosedError', async () => {
    const closes: Error[] = [];
    const peer = rawPeer({ timeoutMs: 5000, limits: { maxMessageBytes: 1000 }, onClose: (r) => closes.push(r) });
    const call = peer.channel.call('work');
    await peer.next((m) => m.t === 'q');
    peer.write(`"${'x'.repeat(600)}`);
    peer.write(`${'y'.repeat(600)}"\n`); // one line of 1202 bytes, in two writes
    const error = await rejection(call);
    expect(error).toBeInstanceOf(RpcClosedError);
    expect(error.cause).toBeInstanceOf(RpcProtocolError);
    expect(error.cause.code).toBe('E_RPC_MESSAGE_TOO_LARGE');
    expect(closes.map((c) => (c as RpcProtocolError).code)).toEqual(['E_RPC_MESSAGE_TOO_LARGE']);
  });

  test('an outgoing message over the limit is an RpcEncodeError for that call only', async () => {
    const { checks } = learnerPair();
    const small = channelPair<never, Learner>({ timeoutMs: 5000, limits: { maxMessageBytes: 2000 } }, { timeoutMs: 5000, expose: learnerExports(), limits: { maxMessageBytes: 2000 } });
    const big = 'z'.repeat(3000);
    const error = await rejection(small.left.call('echo', big));
    expect(error).toBeInstanceOf(RpcEncodeError);
    expect(error.message).toMatch(/^args: the message is \d+ bytes, over the limit of 2000$/);
    expect(await small.left.call('add', 1, 2)).toBe(3);
    expect(await checks.call('echo', big)).toBe(big);
  });

  test('a result over the limit comes back as an RpcEncodeError reply, not a hang', async () => {
    const pair = channelPair<never, { big: () => string }>({ timeoutMs: 5000 }, { timeoutMs: 5000, expose: { big: () => 'w'.repeat(5000) }, limits: { maxMessageBytes: 2000 } });
    const error = await rejection(pair.left.call('big'));
    expect(error).toBeInstanceOf(RpcEncodeError);
    expect(error.message).toMatch(/^result: the message is \d+ bytes, over the limit of 2000$/);
  });
});
