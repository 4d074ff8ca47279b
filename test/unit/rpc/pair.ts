/** Two ends of real in-process streams for channel tests: an honest pair, and a raw peer that writes what it likes. */
import { PassThrough } from 'node:stream';
import type { Channel } from '../../../runner/rpc/channel.ts';
import { bindStream, lineSplitter, type StreamChannelOptions } from '../../../runner/rpc/stream.ts';

/** Two channels wired to each other through a pair of PassThrough streams. */
export function channelPair<A = any, B = any>(
  left: StreamChannelOptions,
  right: StreamChannelOptions,
): { left: Channel<B>; right: Channel<A>; leftToRight: PassThrough; rightToLeft: PassThrough } {
  const leftToRight = new PassThrough();
  const rightToLeft = new PassThrough();
  return {
    left: bindStream<B>({ input: rightToLeft, output: leftToRight }, left),
    right: bindStream<A>({ input: leftToRight, output: rightToLeft }, right),
    leftToRight,
    rightToLeft,
  };
}

/** A message as the raw peer sees it. */
export type RawMessage = { t: string; i?: string; m?: string; a?: unknown[]; r?: any; e?: any };

/** An honest channel facing a raw peer that reads its messages and writes any line it likes. */
export function rawPeer<R = any>(options: StreamChannelOptions) {
  const toChannel = new PassThrough();
  const fromChannel = new PassThrough();
  const channel = bindStream<R>({ input: toChannel, output: fromChannel }, options);
  const seen: RawMessage[] = [];
  let waiters: (() => void)[] = [];
  fromChannel.on(
    'data',
    lineSplitter(1 << 30, (line) => {
      seen.push(JSON.parse(line) as RawMessage);
      const now = waiters;
      waiters = [];
      for (const wake of now) wake();
    }, () => {}),
  );
  /** The next message from the channel that matches, waiting for it if need be. */
  async function next(match: (msg: RawMessage) => boolean = () => true): Promise<RawMessage> {
    for (;;) {
      const index = seen.findIndex(match);
      if (index !== -1) return seen.splice(index, 1)[0];
      await new Promise<void>((wake) => waiters.push(wake));
    }
  }
  return {
    channel,
    next,
    /** Writes one line: an object as JSON, a string as it is. */
    send(message: unknown) {
      toChannel.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
    },
    /** Writes raw text, newline or not. */
    write(text: string) {
      toChannel.write(text);
    },
    /** The reply to the peer's own call `id`. */
    reply(id: string) {
      return next((msg) => msg.t === 's' && msg.i === id);
    },
    end() {
      toChannel.end();
    },
  };
}

/** The code an encoded error reply carries (as the raw peer reads it). */
export function replyCode(msg: RawMessage): unknown {
  return msg.e?.thrown?.props?.code ?? msg.e?.thrown?.code;
}

/** The value a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the promise resolved');
}
