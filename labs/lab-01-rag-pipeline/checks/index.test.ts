import { describe, expect, test } from 'vitest';
import { field, learner } from '#ailab/learner';
import type * as Errors from '../src/errors.ts';
import type * as Vectors from '../src/vector-index.ts';
import { rng } from './reference.ts';

const { VectorIndex } = await learner<typeof Vectors>('src/vector-index.ts');
const { RagError } = await learner<typeof Errors>('src/errors.ts');
type RagError = InstanceType<typeof RagError>;

/** Brute force in float64 over the float32-rounded vectors: cosine, 0 for a zero norm, ties by id. */
function bruteForce(items: { id: string; v: Float32Array }[], q: Float32Array, k: number) {
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const qn = norm(q);
  return items
    .map(({ id, v }) => {
      const n = norm(v) * qn;
      return { id, score: n === 0 ? 0 : v.reduce((s, x, i) => s + x * q[i], 0) / n };
    })
    .sort((a, b) => (b.score !== a.score ? b.score - a.score : a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, k);
}

async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err, `expected a RagError, got ${String(err)}`).toBeInstanceOf(RagError);
    return (err as RagError).code;
  }
  return 'no error';
}

describe('VectorIndex (hidden)', () => {
  test('matches a brute-force reference on random vectors, with ties and zero vectors', async () => {
    const next = rng(7);
    const dim = 24;
    const base = Array.from({ length: 5 }, () => Float32Array.from({ length: dim }, () => next() * 2 - 1));
    const items: { id: string; v: Float32Array }[] = [];
    for (let i = 0; i < 1500; i++) {
      // every 40th is a zero vector, every 7th an exact copy of one of five base vectors (ties)
      const v = i % 40 === 0 ? new Float32Array(dim) : i % 7 === 0 ? base[i % 5].slice() : Float32Array.from({ length: dim }, () => next() * 2 - 1);
      items.push({ id: `v${String((i * 7919) % 1500).padStart(4, '0')}`, v });
    }
    const index = await new VectorIndex(dim);
    for (const { id, v } of items) await index.add(id, v);
    expect(await field(index, 'size')).toBe(items.length);
    const queries = [...Array.from({ length: 25 }, () => Float32Array.from({ length: dim }, () => next() * 2 - 1)), base[2].slice(), new Float32Array(dim)];
    for (const [qi, q] of queries.entries()) {
      for (const k of [1, 10, 37]) {
        const want = bruteForce(items, q, k);
        const got = await index.search(q, k);
        expect(got.length, `query ${qi}, k=${k}`).toBe(k);
        got.forEach((hit, i) => {
          expect(Number.isNaN(hit.score), `query ${qi}: a score is NaN; guard zero norms`).toBe(false);
          expect(hit.score, `query ${qi}, k=${k}, rank ${i + 1}: score`).toBeCloseTo(want[i].score, 5);
          // below 1e-6 apart, float32 rounding may order near-ties either way; exact ties must follow the ids
          const nearTie = want.some((w, j) => j !== i && Math.abs(w.score - want[i].score) < 1e-6 && w.score !== want[i].score);
          if (!nearTie) expect(hit.id, `query ${qi}, k=${k}, rank ${i + 1}: id (scores equal -> smaller id first)`).toBe(want[i].id);
        });
      }
    }
  });

  test('equal scores break by id, whatever the insertion order', async () => {
    const vectors: [string, number[]][] = [
      ['delta', [1, 0, 0]],
      ['alpha', [2, 0, 0]],
      ['charlie', [0, 1, 0]],
      ['bravo', [3, 0, 0]],
      ['zero', [0, 0, 0]],
      ['echo', [0, 0, 5]],
    ];
    for (const order of [vectors, [...vectors].reverse()]) {
      const index = await new VectorIndex(3);
      for (const [id, v] of order) await index.add(id, v);
      expect((await index.search([1, 0, 0], 3)).map((h) => h.id), 'alpha, bravo and delta all score 1').toEqual(['alpha', 'bravo', 'delta']);
      expect((await index.search([1, 0, 0], 6)).map((h) => h.id), 'then charlie, echo and zero all score 0, by id').toEqual(['alpha', 'bravo', 'delta', 'charlie', 'echo', 'zero']);
      const zeroQuery = await index.search([0, 0, 0], 6);
      expect(zeroQuery.map((h) => h.id), 'a zero query scores 0 against everything: ids ascending').toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'zero']);
      expect(zeroQuery.every((h) => h.score === 0), 'scores are 0, not NaN').toBe(true);
    }
  });

  test('k <= 0 and vectors of mismatched dimension throw a RagError', async () => {
    const index = await new VectorIndex(4);
    await index.add('a', [1, 2, 3, 4]);
    expect(await codeOf(() => index.search([1, 0, 0, 0], 0))).toBe('INVALID_K');
    expect(await codeOf(() => index.search([1, 0, 0, 0], -3))).toBe('INVALID_K');
    expect(await codeOf(() => index.search([1, 0, 0, 0], 1.5))).toBe('INVALID_K');
    expect(await codeOf(() => index.add('b', [1, 2, 3]))).toBe('DIMENSION_MISMATCH');
    expect(await codeOf(() => index.search([1, 2, 3, 4, 5], 1))).toBe('DIMENSION_MISMATCH');
    expect(await codeOf(() => index.add('a', [4, 3, 2, 1]))).toBe('DUPLICATE_ID');
    expect(await field(index, 'size'), 'a rejected vector must not be stored').toBe(1);
    expect((await index.search([1, 2, 3, 4], 5)).map((h) => h.id), 'k larger than the index returns every vector').toEqual(['a']);
  });
});
