import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/drift/${name}`, import.meta.url), 'utf8'));

/** |actual - expected| <= rel * |expected|, or |actual| <= absFloor when expected is (near) 0. */
export function expectRel(actual: number, expected: number, rel: number, what: string, absFloor = 0) {
  expect(typeof actual === 'number' && Number.isFinite(actual), `${what}: got ${String(actual)}, expected the finite number ${expected}`).toBe(true);
  const err = Math.abs(actual - expected);
  const ok = err <= rel * Math.abs(expected) || err <= absFloor;
  expect(ok, `${what}: got ${actual}, expected ${expected} (relative error ${(err / Math.abs(expected)).toExponential(2)} > ${rel})`).toBe(true);
}

/** mulberry32: the same sequence as fixtures/drift/generate.py. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniforms from mulberry32(seed), each plus shift (exact IEEE addition, identical to the Python). */
export function uniformSample(g: { seed: number; n: number; shift: number }): number[] {
  const r = mulberry32(g.seed);
  return Array.from({ length: g.n }, () => r() + g.shift);
}

/** Standard normals by Box-Muller on mulberry32 (only used for streams, never compared with Python). */
export function normals(seed: number): () => number {
  const r = mulberry32(seed);
  return () => {
    const u = 1 - r();
    const v = r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
