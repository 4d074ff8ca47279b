/**
 * lab-01 bench: `npx tsx labs/lab-01-rag-pipeline/bench.ts [--mine]`
 *
 * 1. top-10 cosine query throughput over 20,000 x 384 vectors: the Float32Array VectorIndex
 *    against a naive number[][] scan (cosine per item with norms recomputed, full sort), same run;
 * 2. build-and-query time of the whole pipeline over fixtures/rag (chunk, embed, index, 64 questions x 3 modes).
 *
 * It benchmarks the reference solution when it is present, else (or with --mine) your src/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { solutionView } from '../../runner/lab/solution-view.ts';

const here = new URL('./', import.meta.url);
const useMine = process.argv.includes('--mine') || !existsSync(new URL('solution/src/vector-index.ts', here));
const base = useMine ? './src/' : solutionView(fileURLToPath(here));
const { VectorIndex } = (await import(`${base}vector-index.ts`)) as typeof import('./src/vector-index.ts');
const { buildPipeline } = (await import(`${base}pipeline.ts`)) as typeof import('./src/pipeline.ts');
const { evaluateRun, formatReport } = (await import(`${base}evaluate.ts`)) as typeof import('./src/evaluate.ts');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The naive baseline a first attempt usually looks like. */
function naiveTopK(items: { id: string; vector: number[] }[], q: number[], k: number) {
  const scored = items.map(({ id, vector }) => {
    let dot = 0;
    let a = 0;
    let b = 0;
    for (let i = 0; i < q.length; i++) {
      dot += vector[i] * q[i];
      a += vector[i] * vector[i];
      b += q[i] * q[i];
    }
    return { id, score: a === 0 || b === 0 ? 0 : dot / Math.sqrt(a * b) };
  });
  scored.sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1));
  return scored.slice(0, k);
}

/** Queries per second of fn over the queries, after one warm-up pass over a few. */
function qps(queries: number[][], fn: (q: number[]) => unknown): number {
  for (const q of queries.slice(0, 3)) fn(q);
  const t0 = performance.now();
  for (const q of queries) fn(q);
  return queries.length / ((performance.now() - t0) / 1000);
}

const N = 20_000;
const DIM = 384;
const next = rng(2024);
const rows = Array.from({ length: N }, () => Array.from({ length: DIM }, () => next() * 2 - 1));
const queries = Array.from({ length: 60 }, () => Array.from({ length: DIM }, () => next() * 2 - 1));

const tBuild = performance.now();
const index = new VectorIndex(DIM);
rows.forEach((v, i) => index.add(`v${i}`, v));
const buildMs = performance.now() - tBuild;
const items = rows.map((vector, i) => ({ id: `v${i}`, vector }));

const fast = qps(queries, (q) => index.search(q, 10));
const naive = qps(queries.slice(0, 20), (q) => naiveTopK(items, q, 10));
const same = queries.slice(0, 5).every((q) => index.search(q, 10).map((h) => h.id).join() === naiveTopK(items, q, 10).map((h) => h.id).join());

console.log(`lab-01 bench (${useMine ? 'your src/' : 'reference solution'}), Node ${process.version}\n`);
console.log(`top-10 cosine over ${N} x ${DIM} vectors (index built in ${buildMs.toFixed(0)} ms)`);
console.log('| implementation | queries/s | ms/query |');
console.log('|---|---:|---:|');
console.log(`| VectorIndex (Float32Array) | ${fast.toFixed(1)} | ${(1000 / fast).toFixed(2)} |`);
console.log(`| naive number[][] + full sort | ${naive.toFixed(1)} | ${(1000 / naive).toFixed(2)} |`);
console.log(`speed-up: ${(fast / naive).toFixed(1)}x; same top-10 ids on 5 queries: ${same}\n`);

const read = (name: string) => readFileSync(new URL(`../../fixtures/rag/${name}`, import.meta.url), 'utf8');
const docs = read('corpus.jsonl').trim().split('\n').map((l) => JSON.parse(l));
const questions: { id: string; question: string }[] = JSON.parse(read('questions.json')).questions;
const qrels = JSON.parse(read('qrels.json')).qrels;
const t0 = performance.now();
const pipeline = await buildPipeline(docs);
const built = performance.now() - t0;
const rowsOut = [];
const t1 = performance.now();
for (const mode of ['bm25', 'dense', 'hybrid'] as const) {
  const runs: Record<string, string[]> = {};
  for (const q of questions) runs[q.id] = await pipeline.searchDocuments(q.question, mode, 5);
  rowsOut.push({ name: mode, ...evaluateRun(runs, qrels, 5) });
}
const queried = performance.now() - t1;
console.log(`fixture corpus: ${docs.length} documents -> ${pipeline.chunks.length} chunks`);
console.log(`build (chunk + embed + index): ${built.toFixed(0)} ms; ${questions.length * 3} queries: ${queried.toFixed(0)} ms (${(queried / (questions.length * 3)).toFixed(2)} ms/query)\n`);
console.log(formatReport(rowsOut, 5));
