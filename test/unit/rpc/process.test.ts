import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Channel } from '../../../runner/rpc/channel.ts';
import { RpcClosedError, RpcProtocolError, RpcTimeoutError } from '../../../runner/rpc/errors.ts';
import { release } from '../../../runner/rpc/refs.ts';
import { bindChildProcess, RPC_STDIO, type StreamChannelOptions } from '../../../runner/rpc/stream.ts';
import { RagError } from './fixtures/rag-error.ts';
import { rejection } from './pair.ts';
import type { learner as Learner } from './fixtures/learner.ts';

const children: ChildProcess[] = [];

/** Spawns a fixture with `node --import tsx` and binds the parent's side of its channel. */
function spawnPeer<R = typeof Learner>(fixture: string, options: StreamChannelOptions) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))], { stdio: RPC_STDIO });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const channel = bindChildProcess<R>(child, options);
  return { child, channel, exited, stderr: () => stderr };
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('a learner in its own process', () => {
  let learner: Channel<typeof Learner>;
  let pid: number;
  beforeAll(async () => {
    learner = spawnPeer('learner.ts', { timeoutMs: 15_000, errorClasses: { RagError } }).channel;
    pid = await learner.call('pid');
  });

  test('runs in another process, and values cross the pipes intact', async () => {
    expect(pid).not.toBe(process.pid);
    const value = {
      text: 'naïve ☃',
      floats: new Float64Array([0.25, NaN, -0]),
      bytes: Buffer.from([1, 2, 3]),
      when: new Date(86_400_000),
      tally: new Map([['a', 1n]]),
      tags: new Set(['x']),
      gone: undefined,
      $rpc: 'escaped',
    };
    expect(await learner.call('echo', value)).toEqual(value);
  });

  test('its errors keep their class: RangeError, RagError with code, an unknown class, a cause chain', async () => {
    const range = await rejection(learner.call('throwRange', 3));
    expect(range).toBeInstanceOf(RangeError);
    expect(range.remoteStack).toMatch(/fixtures\/rag-error\.ts/);
    const rag = await rejection(learner.call('throwRag'));
    expect(rag).toBeInstanceOf(RagError);
    expect(rag.code).toBe('E_RAG_EMPTY');
    const weird = await rejection(learner.call('throwWeird'));
    expect([Object.getPrototypeOf(weird) === Error.prototype, weird.name, weird.code]).toEqual([true, 'WeirdError', 'E_WEIRD']);
    const chain = await rejection(learner.call('throwChain'));
    expect(chain.cause).toBeInstanceOf(TypeError);
    expect(chain.cause.cause).toBeInstanceOf(RagError);
    expect(chain.cause.cause.code).toBe('E_RAG_INNER');
  });

  test('a class instance is a handle whose state lives in the learner process; release ends it', async () => {
    const counter = await learner.construct('Counter', 1);
    expect(await counter.add(2)).toBe(3);
    expect(await counter.add(4)).toBe(7);
    const made = await learner.call('makeCounter', 50);
    expect(await made.add(1)).toBe(51);
    expect(await counter.snapshot()).toEqual({ count: 7, history: [2, 4] });
    release(counter);
    expect((await rejection(counter.add(1))).code).toBe('E_RPC_RELEASED');
    expect(await made.add(1)).toBe(52);
  });

  test("learner code calls the checks' fake model; the calls are recorded on the checks' side", async () => {
    const calls: string[] = [];
    const fakeModel = async (text: string) => {
      calls.push(text);
      return [text.length, 1];
    };
    expect(await learner.call('embedAll', ['a', 'bb', 'ccc'], fakeModel)).toEqual([[1, 1], [2, 1], [3, 1]]);
    expect(calls.sort()).toEqual(['a', 'bb', 'ccc']);
  });
});

describe('a learner process that dies or hangs', () => {
  test('one that exits mid-call fails every pending call at once with RpcClosedError, well under the timeout', async () => {
    const { channel, exited } = spawnPeer('learner.ts', { timeoutMs: 15_000 });
    expect(await channel.call('add', 1, 1)).toBe(2);
    const hanging = channel.call('hang');
    const started = Date.now();
    const errors = await Promise.all([rejection(channel.call('exitSoon', 3)), rejection(hanging)]);
    expect(Date.now() - started).toBeLessThan(5000);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RpcClosedError);
      expect(error.code).toBe('E_RPC_CLOSED');
      expect(error.message).toMatch(/^the call to (exitSoon|hang) failed: the channel closed \(the peer (closed the channel|process exited with code 3)\)$/);
    }
    expect(await exited).toBe(3);
    expect(await rejection(channel.call('add', 1, 1))).toBeInstanceOf(RpcClosedError);
  });

  test('one killed by SIGKILL mid-call fails its pending call at once', async () => {
    const { child, channel } = spawnPeer('learner.ts', { timeoutMs: 15_000 });
    await channel.call('pid');
    const hanging = channel.call('hang');
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    child.kill('SIGKILL');
    const error = await rejection(hanging);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(RpcClosedError);
  });

  test('one that never replies is RpcTimeoutError naming the method and limit; the process still answers after', async () => {
    const { channel } = spawnPeer('learner.ts', { timeoutMs: 800 });
    await channel.call('pid'); // the first call pays for the process start
    const error = await rejection(channel.call('hang'));
    expect(error).toBeInstanceOf(RpcTimeoutError);
    expect(error.message).toBe('the call to hang got no reply within 800 ms');
    expect(await channel.call('add', 2, 2)).toBe(4);
  });
});

describe('a hostile learner process that forges messages', () => {
  test('its forged calls run nothing and its forged replies resolve nothing; an oversized line closes the channel', async () => {
    const ran: string[] = [];
    const protocolErrors: RpcProtocolError[] = [];
    const closes: Error[] = [];
    const { channel } = spawnPeer<{ answer(): number; refusals(): Record<string, string>; oversize(): never }>('hostile.ts', {
      timeoutMs: 15_000,
      expose: { record: (x: unknown) => ran.push(String(x)) },
      limits: { maxMessageBytes: 1024 * 1024 },
      onProtocolError: (e) => protocolErrors.push(e),
      onClose: (reason) => closes.push(reason),
    });
    expect(await channel.call('answer')).toBe(42);
    expect(await channel.call('refusals')).toEqual({
      constructor: 'E_RPC_UNKNOWN_METHOD',
      proto: 'E_RPC_UNKNOWN_METHOD',
      toString: 'E_RPC_UNKNOWN_METHOD',
      notExposed: 'E_RPC_UNKNOWN_METHOD',
      unknownHandle: 'E_RPC_UNKNOWN_REF',
      unknownCallback: 'E_RPC_UNKNOWN_REF',
      newOfNothing: 'E_RPC_UNKNOWN_METHOD',
      yoursUnknown: 'E_RPC_UNKNOWN_REF',
    });
    expect(ran).toEqual([]);
    expect(protocolErrors.length).toBeGreaterThanOrEqual(5);
    const error = await rejection(channel.call('oversize'));
    expect(error).toBeInstanceOf(RpcClosedError);
    expect(error.cause.code).toBe('E_RPC_MESSAGE_TOO_LARGE');
    expect(closes).toHaveLength(1);
  });
});
