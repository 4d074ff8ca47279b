import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { because } from '#ailab/checks';

export const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../fixtures/drift/${name}`, import.meta.url), 'utf8'));

/** A received value for a message: a number as it is, anything else with its type (`"0.4" (string)`), which prints alike. */
export function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : `${JSON.stringify(value) ?? String(value)} (${value === null ? 'null' : typeof value})`;
}

/** |actual - expected| <= rel * |expected|, or |actual| <= absFloor when expected is (near) 0. */
export function expectRel(actual: number, expected: number, rel: number, what: string, absFloor = 0, hintKey?: string) {
  const say = (message: string) => (hintKey ? because(hintKey, message) : message);
  expect(typeof actual === 'number' && Number.isFinite(actual), say(`${what}: got ${shown(actual)}, expected the finite number ${expected}`)).toBe(true);
  const err = Math.abs(actual - expected);
  const ok = err <= rel * Math.abs(expected) || err <= absFloor;
  expect(ok, say(`${what}: got ${actual}, expected ${expected} (relative error ${(err / Math.abs(expected)).toExponential(2)} > ${rel})`)).toBe(true);
}

/**
 * The two-sample KS statistic D by the usual walk over both sorted samples (every copy of a value
 * on both sides before comparing), with the samples sorted by `compare`: numerically it is D
 * itself; with a text comparison it is what code that sorted with `[...a].sort()` computes.
 */
export function ksStatistic(a: readonly number[], b: readonly number[], compare: (x: number, y: number) => number = (x, y) => x - y): number {
  const x = [...a].sort(compare);
  const y = [...b].sort(compare);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = x[i] <= y[j] ? x[i] : y[j];
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return Math.max(d, Math.abs(i / x.length - j / y.length));
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
