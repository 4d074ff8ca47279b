/** The RPC layer's public API: channels, transports, the codec, references and typed errors. */
export { createChannel, DEFAULT_MAX_MESSAGE_BYTES, type Channel, type ChannelOptions, type Exposed, type Remoted } from './channel.ts';
export { decode, DEFAULT_LIMITS, encode, isPeerError, type CodecLimits, type ErrorClasses, type Wire } from './codec.ts';
export * from './errors.ts';
export { isRemote, release } from './refs.ts';
export { bindChildProcess, bindParentPipe, bindStream, RPC_FD, RPC_STDIO, type StreamChannelOptions } from './stream.ts';
