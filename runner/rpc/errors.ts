/**
 * Typed errors of the RPC layer. They are results of the code on the other side of the
 * boundary (a value that cannot cross, a reply that never came, a peer that died), not tool
 * failures, so they are plain Error subclasses with a stable `code`, not AilabErrors.
 */

/** Every stable code an RPC error carries. */
export type RpcErrorCode =
  | 'E_RPC_UNSUPPORTED'
  | 'E_RPC_CYCLE'
  | 'E_RPC_TOO_DEEP'
  | 'E_RPC_TOO_LARGE'
  | 'E_RPC_PROTOCOL'
  | 'E_RPC_MESSAGE_TOO_LARGE'
  | 'E_RPC_UNKNOWN_METHOD'
  | 'E_RPC_UNKNOWN_REF'
  | 'E_RPC_RELEASED'
  | 'E_RPC_NOT_A_METHOD'
  | 'E_RPC_TIMEOUT'
  | 'E_RPC_CLOSED';

/** Base class: a message and a stable code. */
export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RpcError';
  }
}

/** A value that cannot cross: a Symbol, a WeakMap, a nested Promise, a cycle, too deep or too large. */
export class RpcEncodeError extends RpcError {
  constructor(
    code: 'E_RPC_UNSUPPORTED' | 'E_RPC_CYCLE' | 'E_RPC_TOO_DEEP' | 'E_RPC_TOO_LARGE',
    readonly path: string,
    message: string,
  ) {
    super(code, `${path}: ${message}`);
    this.name = 'RpcEncodeError';
  }
}

/** A message, reply or encoded value from the peer that breaks the wire format, or an oversized message. */
export class RpcProtocolError extends RpcError {
  constructor(message: string, code: 'E_RPC_PROTOCOL' | 'E_RPC_MESSAGE_TOO_LARGE' = 'E_RPC_PROTOCOL') {
    super(code, message);
    this.name = 'RpcProtocolError';
  }
}

/** A call names a function the other side does not expose, or a method a handle does not have. */
export class RpcUnknownMethodError extends RpcError {
  constructor(readonly method: string, message: string) {
    super('E_RPC_UNKNOWN_METHOD', message);
    this.name = 'RpcUnknownMethodError';
  }
}

/** A handle or callback that is unknown, already released, or read as a property instead of called. */
export class RpcHandleError extends RpcError {
  constructor(code: 'E_RPC_UNKNOWN_REF' | 'E_RPC_RELEASED' | 'E_RPC_NOT_A_METHOD', message: string) {
    super(code, message);
    this.name = 'RpcHandleError';
  }
}

/** A call whose reply did not come within the channel's limit. */
export class RpcTimeoutError extends RpcError {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super('E_RPC_TIMEOUT', `the call to ${method} got no reply within ${timeoutMs} ms`);
    this.name = 'RpcTimeoutError';
  }
}

/** A call cut off because the channel closed: the peer died, the transport ended, or close() was called. */
export class RpcClosedError extends RpcError {
  constructor(
    readonly method: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('E_RPC_CLOSED', `the call to ${method} failed: the channel closed (${reason})`, options);
    this.name = 'RpcClosedError';
  }
}

/**
 * The RPC errors a peer may send back as themselves. Timeouts and closes are facts of the local
 * side only, so a peer's claim of one arrives as a plain Error.
 */
export const peerRpcErrorClasses = {
  RpcError,
  RpcEncodeError,
  RpcProtocolError,
  RpcUnknownMethodError,
  RpcHandleError,
} as const;
