/**
 * Transports for a channel: newline-delimited JSON over Node streams, with a bound on each
 * message, and the pipe on fd 3 between a parent and a child process (stdout and stderr stay
 * free for the child's own output).
 */
import type { ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { createChannel, DEFAULT_MAX_MESSAGE_BYTES, type Channel, type ChannelOptions, type Exposed } from './channel.ts';
import { RpcProtocolError } from './errors.ts';

/** The child's file descriptor that carries the channel. Spawn with `stdio: RPC_STDIO`. */
export const RPC_FD = 3;

/** The `stdio` to spawn a child with: its own stdin, stdout and stderr, and the channel's pipe on fd 3. */
export const RPC_STDIO: ['pipe', 'pipe', 'pipe', 'pipe'] = ['pipe', 'pipe', 'pipe', 'pipe'];

/** Options of the stream transports: a channel's, without the transport. */
export type StreamChannelOptions = Omit<ChannelOptions, 'post' | 'on'>;

const NEWLINE = 0x0a;

/** Splits a byte stream into lines of at most `maxBytes`; a longer line calls `tooLong` and stops. */
export function lineSplitter(maxBytes: number, onLine: (line: string) => void, tooLong: (bytes: number) => void): (chunk: Buffer) => void {
  let parts: Buffer[] = [];
  let size = 0;
  let stopped = false;
  return (chunk) => {
    let start = 0;
    while (!stopped) {
      const end = chunk.indexOf(NEWLINE, start);
      const piece = end === -1 ? chunk.subarray(start) : chunk.subarray(start, end);
      size += piece.length;
      if (size > maxBytes) {
        stopped = true;
        parts = [];
        tooLong(size);
        return;
      }
      if (end === -1) {
        if (piece.length) parts.push(piece);
        return;
      }
      parts.push(piece);
      const line = parts.length === 1 ? parts[0].toString('utf8') : Buffer.concat(parts, size).toString('utf8');
      parts = [];
      size = 0;
      start = end + 1;
      if (line.trim() !== '') onLine(line);
    }
  };
}

/**
 * Binds a channel to a readable and a writable stream (they may be one duplex): one JSON message
 * per line. A line over `limits.maxMessageBytes` closes the channel with E_RPC_MESSAGE_TOO_LARGE;
 * the end or failure of either stream closes it too. Closing the channel ends the output.
 */
export function bindStream<Remote = Exposed>(streams: { input: Readable; output: Writable }, options: StreamChannelOptions): Channel<Remote> {
  const { input, output } = streams;
  const maxBytes = options.limits?.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  let listener: ((text: string) => void) | undefined;
  const closeWith = (reason: Error) => channel.close(reason);
  const split = lineSplitter(
    maxBytes,
    (line) => listener?.(line),
    () => closeWith(new RpcProtocolError(`the peer sent a message of more than ${maxBytes} bytes, the limit`, 'E_RPC_MESSAGE_TOO_LARGE')),
  );
  const onData = (chunk: Buffer | string) => split(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const onEnd = () => closeWith(new Error('the peer closed the channel'));
  const onInputError = (error: Error) => closeWith(new Error(`the channel's input failed: ${error.message}`, { cause: error }));
  const onOutputError = (error: Error) => closeWith(new Error(`the channel's output failed: ${error.message}`, { cause: error }));

  const channel = createChannel<Remote>({
    ...options,
    post: (text) => {
      output.write(`${text}\n`);
    },
    on: (fn) => {
      listener = fn;
    },
    onClose: (reason) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('close', onEnd);
      input.resume(); // drain what is still coming, so the peer's end is seen
      output.end();
      if ((input as unknown) !== output) input.destroy();
      options.onClose?.(reason);
    },
  });

  input.on('data', onData);
  input.once('end', onEnd);
  input.once('close', onEnd);
  input.on('error', onInputError);
  output.on('error', onOutputError);
  return channel;
}

/**
 * The parent's side of a child's channel: the child must be spawned with `stdio: RPC_STDIO`.
 * The child's exit, or the end of the pipe, closes the channel at once; the child is not killed.
 */
export function bindChildProcess<Remote = Exposed>(child: ChildProcess, options: StreamChannelOptions): Channel<Remote> {
  const pipe = child.stdio[RPC_FD] as (Readable & Writable) | null | undefined;
  if (!pipe) throw new TypeError(`the child process has no pipe on fd ${RPC_FD}: spawn it with stdio: RPC_STDIO`);
  const channel = bindStream<Remote>({ input: pipe, output: pipe }, options);
  child.once('exit', (code, signal) => {
    channel.close(new Error(signal ? `the peer process was killed by ${signal}` : `the peer process exited with code ${code}`));
  });
  child.once('error', (error) => channel.close(new Error(`the peer process failed: ${error.message}`, { cause: error })));
  return channel;
}

/** The child's side: the channel to the parent over fd 3 (the parent used bindChildProcess). */
export function bindParentPipe<Remote = Exposed>(options: StreamChannelOptions): Channel<Remote> {
  const socket = new Socket({ fd: RPC_FD, readable: true, writable: true });
  return bindStream<Remote>({ input: socket, output: socket }, options);
}
