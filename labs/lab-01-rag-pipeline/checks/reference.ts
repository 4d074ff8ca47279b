/**
 * Independent references for the hidden checks. Nothing here comes from the learner's code or
 * from the lab's solution: token offsets are rebuilt from js-tiktoken's public rank table,
 * BM25 and top-k are brute force, and the HTTP server speaks the HF feature-extraction protocol.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k_base from 'js-tiktoken/ranks/cl100k_base';

export const enc = new Tiktoken(cl100k_base);

let tokenBytes: Map<number, number> | undefined;

/** Byte length of every cl100k token, from the base64 entries of the rank table. */
function bytesOf(id: number): number {
  if (!tokenBytes) {
    tokenBytes = new Map();
    for (const line of cl100k_base.bpe_ranks.split('\n')) {
      const parts = line.split(' ');
      if (parts.length < 3) continue;
      const first = Number(parts[1]);
      for (let i = 2; i < parts.length; i++) tokenBytes.set(first + i - 2, Buffer.from(parts[i], 'base64').length);
    }
  }
  return tokenBytes.get(id)!;
}

/**
 * Token boundaries of `text` as UTF-16 indices: boundary i is where token i starts (i = T is the
 * end of the text). null marks a boundary that falls inside a character.
 */
export function tokenBoundaries(text: string): (number | null)[] {
  const ids = enc.encode(text);
  const utf16AtByte = new Map<number, number>();
  let byte = 0;
  let unit = 0;
  for (const ch of text) {
    utf16AtByte.set(byte, unit);
    byte += Buffer.byteLength(ch, 'utf8');
    unit += ch.length;
  }
  utf16AtByte.set(byte, unit);
  const out: (number | null)[] = [];
  let at = 0;
  for (const id of ids) {
    out.push(utf16AtByte.get(at) ?? null);
    at += bytesOf(id);
  }
  out.push(utf16AtByte.get(at) ?? null);
  return out;
}

/** The fixture corpus and its questions, reached relative to this file. */
export function loadFixtures() {
  const read = (name: string) => readFileSync(new URL(`../../../fixtures/rag/${name}`, import.meta.url), 'utf8');
  const docs = read('corpus.jsonl')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; title: string; text: string; kind: string; topic: string });
  const questions = (JSON.parse(read('questions.json')) as { questions: { id: string; question: string; style: string }[] }).questions;
  const qrels = (JSON.parse(read('qrels.json')) as { qrels: Record<string, Record<string, number>> }).qrels;
  return { docs, questions, qrels };
}

/** A seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plain BM25 straight from the formula (Lucene idf), scoring every document. */
export function bm25Reference(docs: { id: string; text: string }[], query: string, k1 = 1.2, b = 0.75) {
  const words = (t: string): string[] => t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const tokenized = docs.map((d) => words(d.text));
  const n = docs.length;
  const avgdl = tokenized.reduce((s, t) => s + t.length, 0) / n;
  const terms = [...new Set(words(query))];
  const scored = docs.map((d, i) => {
    const dl = tokenized[i].length;
    let score = 0;
    let matched = false;
    for (const term of terms) {
      const tf = tokenized[i].filter((w) => w === term).length;
      if (tf === 0) continue;
      matched = true;
      const df = tokenized.filter((t) => t.includes(term)).length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * dl) / avgdl));
    }
    return { id: d.id, score, matched };
  });
  return scored
    .filter((s) => s.matched)
    .sort((x, y) => (y.score !== x.score ? y.score - x.score : x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
    .map(({ id, score }) => ({ id, score }));
}

/** One request the fake embedding server saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** performance.now() when the request had arrived whole. */
  at: number;
}

/** What the fake server answers: a status, a JSON body (or raw text) and a content type. */
export interface FakeReply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
}

/**
 * A local HTTP server on 127.0.0.1 that speaks the HF feature-extraction protocol: POST a JSON
 * body {"inputs": [...]} to the endpoint URL, get a JSON array of vectors back. `reply` decides
 * each answer from the request and its 0-based number. It stops answering after `cap` requests
 * with a 200, so a client that retries forever still ends and the check can count its requests.
 */
export async function startEmbeddingServer(reply: (req: SeenRequest, n: number) => FakeReply, cap = 60) {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      let body: any = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        /* keep the raw text */
      }
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: performance.now() };
      requests.push(seen);
      const n = requests.length - 1;
      const r: FakeReply = n >= cap ? { status: 200, json: fakeVectors(body?.inputs ?? [], 4) } : reply(seen, n);
      const payload = r.text ?? JSON.stringify(r.json ?? null);
      res.writeHead(r.status, { 'content-type': r.contentType ?? 'application/json', 'x-request-id': `fake-${n}` });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/embed`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Deterministic fake embeddings: text i gets [len, i-th char code, 1, 0, ...] of length dim. */
export function fakeVectors(inputs: unknown, dim: number): number[][] {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  return list.map((t) => {
    const s = String(t);
    const v = new Array(dim).fill(0);
    v[0] = s.length;
    v[1] = s.charCodeAt(0) || 0;
    v[2] = 1;
    return v;
  });
}

/** hash32 as the README specifies it: FNV-1a over UTF-16 code units from a seed, then murmur3's finalizer. */
function hash32Reference(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The README's HashEmbedder, written out: every word of `words` (analyze(text) without stopwords)
 * adds w:<word> with weight 1 and each trigram of <word> with weight 0.7, in bucket
 * (hash >>> 1) % dim with sign -1 when the hash's lowest bit is set; then L2-normalized.
 */
export function hashEmbedReference(words: readonly string[], dim: number, seed: number): number[] {
  const v = new Array<number>(dim).fill(0);
  const add = (feature: string, weight: number) => {
    const h = hash32Reference(feature, seed);
    v[(h >>> 1) % dim] += (h & 1 ? -1 : 1) * weight;
  };
  for (const word of words) {
    add(`w:${word}`, 1);
    const padded = `<${word}>`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.7);
  }
  const norm = Math.hypot(...v);
  return norm > 0 ? v.map((x) => x / norm) : v;
}
