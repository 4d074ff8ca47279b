import { describe, expect, test } from 'vitest';
import { field, learner } from '#ailab/learner';
import { because } from '#ailab/checks';
import type * as Errors from '../src/errors.ts';
import type * as Vectors from '../src/vector-index.ts';
import { rng } from './reference.ts';

const { VectorIndex, ranksBefore } = await learner<typeof Vectors>('src/vector-index.ts');
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

/** The code of the RagError fn throws, or 'no error'; anything but a RagError fails the check (with hint `key`, if given). */
async function codeOf(fn: () => Promise<unknown>, key?: string, what = 'the call'): Promise<string> {
  try {
    await fn();
  } catch (err) {
    const message = `${what}: got ${String(err)}, expected a RagError`;
    expect(err instanceof RagError, key ? because(key, message) : message).toBe(true);
    const empty = `${what}: the RagError should say what is wrong, not only carry a code`;
    expect((err as RagError).message, key ? because(key, empty) : empty).not.toBe('');
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
    // A zero vector stored as NaN can push the right hits out of a top k without showing up in it:
    // one search for every vector tells, so a wrong score or id then gets the NaN hint.
    const probe = await index.search(queries[0], items.length).catch(() => []);
    const storedNaN = probe.some((hit) => Number.isNaN(hit.score)) ? `; search(q, ${items.length}) gives some stored vectors a NaN score` : '';
    for (const [qi, q] of queries.entries()) {
      for (const k of [1, 10, 37]) {
        const want = bruteForce(items, q, k);
        const got = await index.search(q, k);
        // a NaN anywhere (a zero norm) disorders the rest, so it is named first
        const nan = got.findIndex((hit) => Number.isNaN(hit.score));
        expect(nan, because('nan', `query ${qi}, k=${k}: the score at rank ${nan + 1} is NaN; guard zero norms`)).toBe(-1);
        expect(got.length, because(storedNaN ? 'nan' : 'ranking', `query ${qi}, k=${k}: got ${got.length} hits${storedNaN}`)).toBe(k);
        got.forEach((hit, i) => {
          expect(hit.score, because(storedNaN ? 'nan' : 'score', `query ${qi}, k=${k}, rank ${i + 1}: score${storedNaN}`)).toBeCloseTo(want[i].score, 5);
          // below 1e-6 apart, float32 rounding may order near-ties either way; exact ties must follow the ids
          const nearTie = want.some((w, j) => j !== i && Math.abs(w.score - want[i].score) < 1e-6 && w.score !== want[i].score);
          if (!nearTie) expect(hit.id, because(storedNaN ? 'nan' : 'ranking', `query ${qi}, k=${k}, rank ${i + 1}: id (scores equal -> smaller id first)${storedNaN}`)).toBe(want[i].id);
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
    const scores = (hits: { id: string; score: number }[]) => hits.map((h) => `${h.id} ${h.score}`).join(', ');
    for (const order of [vectors, [...vectors].reverse()]) {
      const index = await new VectorIndex(3);
      for (const [id, v] of order) await index.add(id, v);
      const inserted = order === vectors ? 'inserted delta first' : 'inserted echo first';
      const top3 = await index.search([1, 0, 0], 3);
      const top6 = await index.search([1, 0, 0], 6);
      const zeroQuery = await index.search([0, 0, 0], 6);
      // a NaN score in any of them (a zero vector divided by its norm) can misorder all three: then
      // the zero-vector hint, else the ties hint
      const key = [...top6, ...zeroQuery].some((h) => Number.isNaN(h.score)) ? 'zero-vector' : 'ties';
      expect(top3.map((h) => h.id), because(key, `${inserted}: alpha, bravo and delta all score 1; got ${scores(top3)}`)).toEqual(['alpha', 'bravo', 'delta']);
      expect(top6.map((h) => h.id), because(key, `${inserted}: then charlie, echo and zero all score 0, by id; got ${scores(top6)}`)).toEqual(['alpha', 'bravo', 'delta', 'charlie', 'echo', 'zero']);
      expect(zeroQuery.map((h) => h.id), because(key, `${inserted}: a zero query scores 0 against everything, so ids ascending; got ${scores(zeroQuery)}`)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo', 'zero']);
      expect(zeroQuery.every((h) => h.score === 0), because('zero-vector', `${inserted}: a zero query scores 0, not NaN; got ${scores(zeroQuery)}`)).toBe(true);
    }
    // ranksBefore itself: higher score first, then the smaller id; a hit never ranks before an equal one
    for (const [a, b, want] of [
      [{ id: 'a', score: 1 }, { id: 'b', score: 1 }, true],
      [{ id: 'b', score: 1 }, { id: 'a', score: 1 }, false],
      [{ id: 'b', score: 2 }, { id: 'a', score: 1 }, true],
      [{ id: 'a', score: 1 }, { id: 'b', score: 2 }, false],
      [{ id: 'a', score: 1 }, { id: 'a', score: 1 }, false],
      [{ id: 'B', score: 0 }, { id: 'a', score: 0 }, true],
    ] as const) {
      expect(await ranksBefore(a, b), because('ties', `ranksBefore(${JSON.stringify(a)}, ${JSON.stringify(b)}): higher score first, then the smaller id with plain <; equal hits do not rank before each other`)).toBe(want);
    }
  });

  test('k <= 0 and vectors of mismatched dimension throw a RagError', async () => {
    const index = await new VectorIndex(4);
    await index.add('a', [1, 2, 3, 4]);
    // each kind of bad input has its own hint (hint_when in lab.yaml)
    const cases: [key: string, what: string, call: () => Promise<unknown>, code: string][] = [
      ['invalid-k', 'search with k = 0', () => index.search([1, 0, 0, 0], 0), 'INVALID_K'],
      ['invalid-k', 'search with k = -3', () => index.search([1, 0, 0, 0], -3), 'INVALID_K'],
      ['invalid-k', 'search with k = 1.5', () => index.search([1, 0, 0, 0], 1.5), 'INVALID_K'],
      ['dimension', 'add of a 3-dimensional vector to a 4-dimensional index', () => index.add('b', [1, 2, 3]), 'DIMENSION_MISMATCH'],
      ['dimension', 'search with a 5-dimensional query in a 4-dimensional index', () => index.search([1, 2, 3, 4, 5], 1), 'DIMENSION_MISMATCH'],
      ['duplicate-id', 'add of id "a" a second time', () => index.add('a', [4, 3, 2, 1]), 'DUPLICATE_ID'],
      ['dim', 'new VectorIndex(0)', async () => new VectorIndex(0), 'INVALID_OPTIONS'],
      ['dim', 'new VectorIndex(-2)', async () => new VectorIndex(-2), 'INVALID_OPTIONS'],
      ['dim', 'new VectorIndex(2.5)', async () => new VectorIndex(2.5), 'INVALID_OPTIONS'],
    ];
    for (const [key, what, call, want] of cases) {
      const got = await codeOf(call, key, what);
      expect(got, because(key, `${what}: got ${got === 'no error' ? 'no error' : `RagError ${got}`}, expected RagError ${want}`)).toBe(want);
    }
    expect(await field(index, 'size'), 'a rejected vector must not be stored').toBe(1);
    expect((await index.search([1, 2, 3, 4], 5)).map((h) => h.id), 'k larger than the index returns every vector').toEqual(['a']);
  });
});
