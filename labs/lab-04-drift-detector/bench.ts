/**
 * Benchmark: npx tsx labs/lab-04-drift-detector/bench.ts [--solution]
 *   1. KS on 1e6 vs 1e6 against the floor: sorting copies of both arrays (target: <= 3x the floor).
 *   2. detectDrift on a 100,000-row, 20-column table (14 numeric, 6 categorical).
 * Without --solution it measures your code in src/.
 */
import type * as KsModule from './src/ks.ts';
import type * as DetectModule from './src/detect.ts';
import { fileURLToPath } from 'node:url';
import { solutionView } from '../../runner/lab/solution-view.ts';

const useSolution = process.argv.includes('--solution');
const base = useSolution ? solutionView(fileURLToPath(new URL('./', import.meta.url))) : './src/';
const { ks2samp } = (await import(`${base}ks.ts`)) as typeof KsModule;
const { detectDrift } = (await import(`${base}detect.ts`)) as typeof DetectModule;

function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normals(seed: number, n: number, mean = 0, sd = 1): number[] {
  const r = mulberry32(seed);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = mean + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return out;
}
function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(fn: () => void, reps: number): number {
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

const N = 1_000_000;
const a = normals(1, N);
const b = normals(2, N, 0.01);
// warm up both paths once
Float64Array.from(a.slice(0, 1000)).sort();
ks2samp(a.slice(0, 20000), b.slice(0, 20000));

const floor = time(() => {
  Float64Array.from(a).sort();
  Float64Array.from(b).sort();
}, 5);
let last: KsModule.KsResult | undefined;
const ks = time(() => {
  last = ks2samp(a, b);
}, 5);

const ROWS = 100_000;
const ref: Record<string, (number | string)[]> = {};
const cur: Record<string, (number | string)[]> = {};
for (let c = 0; c < 14; c++) {
  ref[`num${c}`] = normals(100 + c, ROWS);
  cur[`num${c}`] = normals(200 + c, ROWS, c % 3 === 0 ? 0.3 : 0);
}
const cats = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
for (let c = 0; c < 6; c++) {
  const r1 = mulberry32(300 + c);
  const r2 = mulberry32(400 + c);
  ref[`cat${c}`] = Array.from({ length: ROWS }, () => cats[Math.floor(r1() * 8)]);
  cur[`cat${c}`] = Array.from({ length: ROWS }, () => cats[Math.floor(r2() * (c % 2 === 0 ? 8 : 6))]);
}
let report: DetectModule.DriftReport | undefined;
const detect = time(() => {
  report = detectDrift(ref, cur);
}, 3);

const rows = [
  ['sort both arrays (floor), 1e6 + 1e6', floor.toFixed(0) + ' ms', '1.00x'],
  [`ks2samp 1e6 vs 1e6 (${last?.method}, D = ${last?.statistic.toFixed(5)})`, ks.toFixed(0) + ' ms', (ks / floor).toFixed(2) + 'x (target <= 3x)'],
  [`detectDrift 100k rows x 20 cols (${report?.driftedCount} drifted)`, detect.toFixed(0) + ' ms', ''],
];
console.log(`lab-04 bench (${useSolution ? 'solution' : 'src'}), Node ${process.version}, median of 5 (detectDrift: 3)`);
const w = [0, 1, 2].map((k) => Math.max(...rows.map((r) => r[k].length)));
for (const r of rows) console.log(r.map((s, k) => s.padEnd(w[k])).join('  '));
