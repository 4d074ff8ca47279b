/**
 * Bench: sweeps maxBatchSize over {1, 2, 4, 8, 16, 32} against the reference solution, with a bounded
 * closed-loop load generator on 127.0.0.1, and writes bench.svg (throughput and p99 vs batch size).
 *
 *   npx tsx labs/lab-03-batching-server/bench.ts          # the reference solution
 *   npx tsx labs/lab-03-batching-server/bench.ts --src    # your src/ instead
 *
 * The fake model costs 20 ms + 1 ms per item for a batch, so with one batch in flight the ceiling is
 *   ceiling(B) = 1000 * B / (20 + B) requests per second.
 * Every setting sends a fixed number of requests (max(160, 40 * B)) with 2 * B concurrent clients.
 */
import http from 'node:http';
import { writeFileSync } from 'node:fs';

const BASE_MS = 20;
const PER_ITEM_MS = 1;
const SIZES = [1, 2, 4, 8, 16, 32];
const useSrc = process.argv.includes('--src');
const { createServer } = (await import(useSrc ? './src/server.ts' : './solution/src/server.ts')) as typeof import('./solution/src/server.ts');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const ceiling = (b: number) => (1000 * b) / (BASE_MS + PER_ITEM_MS * b);

function post(port: number, agent: http.Agent, input: string): Promise<number> {
  const body = JSON.stringify({ input });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/infer', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

interface Row { b: number; n: number; rps: number; p50: number; p99: number; ceil: number; meanBatch: number }

async function runOne(b: number): Promise<Row> {
  let batches = 0;
  let items = 0;
  const model = {
    async predict(inputs: unknown[]) {
      batches++;
      items += inputs.length;
      await sleep(BASE_MS + PER_ITEM_MS * inputs.length);
      return inputs.map((x) => `out:${String(x)}`);
    },
  };
  const concurrency = 2 * b;
  const server = createServer({ model, maxBatchSize: b, maxWaitMs: 10, maxQueue: 4 * concurrency, requestTimeoutMs: 10_000 });
  const { port } = await server.listen(0, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    // warm-up: open the sockets and let the JIT settle
    await Promise.all(Array.from({ length: concurrency }, (_, i) => post(port, agent, `warm-${i}`)));
    batches = 0;
    items = 0;
    const n = Math.max(160, 40 * b);
    const lat: number[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < n) {
          const i = next++;
          lat.push(await post(port, agent, `req-${i}`));
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    lat.sort((x, y) => x - y);
    return { b, n, rps: n / seconds, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), ceil: ceiling(b), meanBatch: items / batches };
  } finally {
    agent.destroy();
    await server.close();
  }
}

function svg(rows: Row[]): string {
  const W = 720, H = 420, L = 70, R = 70, T = 50, B = 60;
  const pw = W - L - R, ph = H - T - B;
  const x = (b: number) => L + (Math.log2(b) / Math.log2(32)) * pw;
  const yMax = Math.ceil(Math.max(...rows.map((r) => Math.max(r.ceil, r.rps))) / 100) * 100;
  const y = (v: number) => T + ph - (v / yMax) * ph;
  const pMax = Math.ceil(Math.max(...rows.map((r) => r.p99)) / 20) * 20;
  const y2 = (v: number) => T + ph - (v / pMax) * ph;
  const line = (pts: [number, number][]) => pts.map(([a, c], i) => `${i ? 'L' : 'M'}${a.toFixed(1)},${c.toFixed(1)}`).join(' ');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">Throughput and p99 latency vs maxBatchSize (fake model: 20 ms + 1 ms per item)</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    out.push(`<line x1="${L}" y1="${y(v)}" x2="${L + pw}" y2="${y(v)}" stroke="#eee"/>`);
    out.push(`<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end" fill="#1f77b4">${v.toFixed(0)}</text>`);
    const p = (pMax * i) / 5;
    out.push(`<text x="${L + pw + 8}" y="${y2(p) + 4}" fill="#d62728">${p.toFixed(0)}</text>`);
  }
  for (const r of rows) {
    out.push(`<line x1="${x(r.b)}" y1="${T + ph}" x2="${x(r.b)}" y2="${T + ph + 5}" stroke="black"/>`);
    out.push(`<text x="${x(r.b)}" y="${T + ph + 20}" text-anchor="middle">${r.b}</text>`);
  }
  out.push(`<line x1="${L}" y1="${T + ph}" x2="${L + pw}" y2="${T + ph}" stroke="black"/>`);
  out.push(`<line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="black"/>`);
  out.push(`<line x1="${L + pw}" y1="${T}" x2="${L + pw}" y2="${T + ph}" stroke="black"/>`);
  out.push(`<text x="${L + pw / 2}" y="${H - 18}" text-anchor="middle">maxBatchSize (log scale); closed loop with 2 x maxBatchSize clients</text>`);
  out.push(`<text transform="translate(18 ${T + ph / 2}) rotate(-90)" text-anchor="middle" fill="#1f77b4">throughput (req/s)</text>`);
  out.push(`<text transform="translate(${W - 14} ${T + ph / 2}) rotate(90)" text-anchor="middle" fill="#d62728">p99 latency (ms)</text>`);
  out.push(`<path d="${line(rows.map((r) => [x(r.b), y(r.ceil)]))}" fill="none" stroke="#999" stroke-dasharray="6 4" stroke-width="2"/>`);
  out.push(`<path d="${line(rows.map((r) => [x(r.b), y(r.rps)]))}" fill="none" stroke="#1f77b4" stroke-width="2.5"/>`);
  out.push(`<path d="${line(rows.map((r) => [x(r.b), y2(r.p99)]))}" fill="none" stroke="#d62728" stroke-width="2.5"/>`);
  for (const r of rows) {
    out.push(`<circle cx="${x(r.b)}" cy="${y(r.rps)}" r="4" fill="#1f77b4"/>`);
    out.push(`<circle cx="${x(r.b)}" cy="${y2(r.p99)}" r="4" fill="#d62728"/>`);
  }
  const lx = L + 16, ly = T + 12;
  out.push(`<rect x="${lx - 8}" y="${ly - 12}" width="250" height="62" fill="white" stroke="#ccc"/>`);
  out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="#1f77b4" stroke-width="2.5"/><text x="${lx + 30}" y="${ly + 4}">measured throughput (req/s)</text>`);
  out.push(`<line x1="${lx}" y1="${ly + 18}" x2="${lx + 24}" y2="${ly + 18}" stroke="#999" stroke-width="2" stroke-dasharray="6 4"/><text x="${lx + 30}" y="${ly + 22}">ceiling 1000·B / (20 + B)</text>`);
  out.push(`<line x1="${lx}" y1="${ly + 36}" x2="${lx + 24}" y2="${ly + 36}" stroke="#d62728" stroke-width="2.5"/><text x="${lx + 30}" y="${ly + 40}">p99 latency (ms)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

const rows: Row[] = [];
for (const b of SIZES) rows.push(await runOne(b));

console.log(`lab-03 batching server bench (${useSrc ? 'src/' : 'reference solution'}), fake model ${BASE_MS} ms + ${PER_ITEM_MS} ms/item, concurrency 2 x maxBatchSize\n`);
console.log('| maxBatchSize | requests | throughput (req/s) | ceiling (req/s) | % of ceiling | mean batch | p50 (ms) | p99 (ms) |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.b} | ${r.n} | ${r.rps.toFixed(0)} | ${r.ceil.toFixed(0)} | ${((100 * r.rps) / r.ceil).toFixed(0)}% | ${r.meanBatch.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
}
const best = rows.reduce((a, r) => (r.rps > a.rps ? r : a));
console.log(`\nbest: maxBatchSize ${best.b}, ${best.rps.toFixed(0)} req/s = ${((100 * best.rps) / best.ceil).toFixed(0)}% of its ceiling ${best.ceil.toFixed(0)} req/s`);
const file = new URL('./bench.svg', import.meta.url);
writeFileSync(file, svg(rows));
console.log('wrote bench.svg');
