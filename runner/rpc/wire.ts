/** The shapes every module of the RPC layer shares: the wire data type, the tag key and paths. */

/** JSON-safe data: what a value becomes on the wire. */
export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

/** The key that marks a tagged (non-JSON) value on the wire. A plain object with this key is escaped. */
export const TAG = '$rpc';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of a key below a path, for error messages: `a.b`, or `a["odd key"]`. */
export function keyPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return `${path}.${key}`;
  return `${path}[${JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key)}]`;
}

/** Defines an own data property, safe for keys like "__proto__". */
export function setOwn(target: object, key: string, value: unknown, enumerable = true): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}
