/** Typed, so the probe goes through the TypeScript transform. */
export function add(a: number, b: number): number {
  return a + b;
}
