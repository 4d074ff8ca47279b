import { describe, expect, test } from 'vitest';
import { field, learner } from '#ailab/learner';
import { because } from '#ailab/checks';
import type * as Bm25 from '../src/bm25.ts';
import type * as Errors from '../src/errors.ts';
import type * as Fusion from '../src/fusion.ts';
import type * as Chunk from '../src/chunk.ts';
import type * as Embed from '../src/embed.ts';
import type * as Pipeline from '../src/pipeline.ts';
import type * as Vectors from '../src/vector-index.ts';
import { bm25Reference, loadFixtures } from './reference.ts';

const { Bm25Index } = await learner<typeof Bm25>('src/bm25.ts');
const { reciprocalRankFusion } = await learner<typeof Fusion>('src/fusion.ts');
const { buildPipeline } = await learner<typeof Pipeline>('src/pipeline.ts');
const { HashEmbedder } = await learner<typeof Embed>('src/embed.ts');
const { chunkCorpus } = await learner<typeof Chunk>('src/chunk.ts');
const { VectorIndex } = await learner<typeof Vectors>('src/vector-index.ts');
const { RagError } = await learner<typeof Errors>('src/errors.ts');
type RagError = InstanceType<typeof RagError>;

const { docs, questions, qrels } = loadFixtures();

/** recall@k written out here, independently of the learner's evaluate.ts. */
function recall(ranking: string[], judged: Record<string, number>, k: number): number {
  const relevant = Object.keys(judged).filter((d) => judged[d] > 0);
  return relevant.filter((d) => ranking.slice(0, k).includes(d)).length / relevant.length;
}

/** The hybrid floor the README states. */
const HYBRID_FLOOR = 0.76;

describe('BM25 (hidden)', () => {
  test('rankings and scores match an independent BM25 (k1 = 1.2, b = 0.75)', async () => {
    const small = docs.filter((_, i) => i % 3 === 0).map((d) => ({ id: d.id, text: d.text }));
    const index = await new Bm25Index();
    for (const d of small) await index.add(d.id, d.text);
    expect(await field(index, 'size'), `size after adding ${small.length} texts`).toBe(small.length);
    const queries = [...questions.slice(0, 20).map((q) => q.question), 'grinder grinder burrs', 'Ashcombe', 'INC-4471 certificate', 'zzz-no-such-word'];
    for (const q of queries) {
      const want = bm25Reference(small, q).slice(0, 10);
      const got = await index.search(q, 10);
      // what BM25 gives with b = 0: a result that matches it ignores the length norm (its own hint)
      const flat = bm25Reference(small, q, 1.2, 0).slice(0, 10);
      const isFlat = got.length === flat.length && got.every((h, i) => h.id === flat[i].id && Math.abs(h.score - flat[i].score) < 1e-6);
      const say = (message: string) => (isFlat ? because('length-norm', `${message}; these are the scores of b = 0`) : message);
      expect(got.map((h) => h.id), say(`query "${q}": ranking (only texts that share a term, ties by id)`)).toEqual(want.map((h) => h.id));
      got.forEach((h, i) => expect(h.score, say(`query "${q}", rank ${i + 1}: score`)).toBeCloseTo(want[i].score, 6));
    }
    // custom parameters are honoured too
    const flat = await new Bm25Index({ k1: 2, b: 0 });
    for (const d of small) await flat.add(d.id, d.text);
    const want = bm25Reference(small, 'water light leaves', 2, 0).slice(0, 8);
    expect((await flat.search('water light leaves', 8)).map((h) => h.id), 'k1 = 2, b = 0').toEqual(want.map((h) => h.id));
  });

  test('k <= 0 and an empty index throw a RagError', async () => {
    const index = await new Bm25Index();
    // each kind of bad input has its own hint (hint_when in lab.yaml)
    const expectCode = async (key: string, what: string, fn: () => Promise<unknown>, want: string) => {
      let got = 'no error';
      try {
        await fn();
      } catch (err) {
        expect(err instanceof RagError, because(key, `${what}: got ${String(err)}, expected RagError ${want}`)).toBe(true);
        got = (err as RagError).code;
        expect((err as RagError).message, because(key, `${what}: the RagError should say what is wrong, not only carry a code`)).not.toBe('');
      }
      expect(got, because(key, `${what}: got ${got === 'no error' ? 'no error' : `RagError ${got}`}, expected RagError ${want}`)).toBe(want);
    };
    await expectCode('empty-corpus', 'search of an empty index', () => index.search('anything', 3), 'EMPTY_CORPUS');
    await index.add('a', 'some words');
    await expectCode('invalid-k', 'search with k = 0', () => index.search('words', 0), 'INVALID_K');
    await expectCode('invalid-k', 'search with k = -1', () => index.search('words', -1), 'INVALID_K');
  });
});

describe('reciprocal rank fusion (hidden)', () => {
  test('matches a hand computation with c = 60 and with a custom c', async () => {
    const lexical = [{ id: 'a', score: 12 }, { id: 'b', score: 9 }, { id: 'c', score: 1 }];
    const dense = [{ id: 'c', score: 0.9 }, { id: 'a', score: 0.8 }, { id: 'd', score: 0.1 }];
    // a: 1/61 + 1/62, c: 1/63 + 1/61, b: 1/62, d: 1/63
    const fused = await reciprocalRankFusion([lexical, dense]);
    expect(fused.map((h) => h.id), because('rank', 'ranks, not raw scores, decide: 1 / (60 + rank), rank 1 at the top')).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0].score, because('rank', 'a, ranked 1st and 2nd: 1/61 + 1/62')).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[1].score, because('rank', 'c, ranked 3rd and 1st: 1/63 + 1/61')).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused[3].score, because('rank', 'd, ranked 3rd in one list: 1/63')).toBeCloseTo(1 / 63, 12);
    const tied = await reciprocalRankFusion([[{ id: 'y', score: 5 }, { id: 'x', score: 4 }], [{ id: 'x', score: 0.5 }, { id: 'y', score: 0.4 }]], 1);
    expect(tied.map((h) => h.id), because('ties', 'x and y both get 1/2 + 1/3 with c = 1: equal fused scores break by id')).toEqual(['x', 'y']);
    expect(tied[0].score, because('rank', 'with c = 1, ranks 1 and 2 give 1/2 + 1/3')).toBeCloseTo(1 / 2 + 1 / 3, 12);
  });
});

describe('pipeline (hidden)', () => {
  test('each mode ranks chunks and pages as its retrievers do, with the chunking it was given', async () => {
    // the pipeline's own wiring, measured against your Bm25Index, HashEmbedder, VectorIndex and RRF
    const corpus = docs.slice(0, 40).map((d) => ({ id: d.id, title: d.title, text: d.text }));
    const chunking = { maxTokens: 48, overlap: 8 };
    const pipeline = await buildPipeline(corpus, { chunking });
    const chunks: { id: string; docId: string; text: string; tokenCount: number }[] = await field(pipeline, 'chunks');
    // measured against your chunkCorpus, so a chunking bug shows in the chunking checks, not here
    const want = (await chunkCorpus(corpus, chunking)).map((c: { id: string; tokenCount: number }) => `${c.id}:${c.tokenCount}`);
    expect(chunks.map((c) => `${c.id}:${c.tokenCount}`), because('chunking', `buildPipeline(docs, { chunking: { maxTokens: 48, overlap: 8 } }): the chunks (id:tokenCount) should be chunkCorpus(docs, that chunking)`)).toEqual(want);
    const bm25 = await new Bm25Index();
    const embedder = await new HashEmbedder();
    const index = await new VectorIndex(384);
    const vectors = await embedder.embed(chunks.map((c) => c.text));
    for (const [i, c] of chunks.entries()) {
      await bm25.add(c.id, c.text);
      await index.add(c.id, vectors[i]);
    }
    const docOf = new Map(chunks.map((c) => [c.id, c.docId]));
    const pages = (hits: { id: string; score: number }[]) => {
      const seen = new Map<string, { id: string; score: number }>();
      for (const h of hits) if (!seen.has(docOf.get(h.id)!)) seen.set(docOf.get(h.id)!, { id: docOf.get(h.id)!, score: h.score });
      return [...seen.values()];
    };
    const same = (got: { id: string; score: number }[], want: { id: string; score: number }[], what: string) => {
      expect(got.map((h) => h.id), because('modes', `${what}: the ids`)).toEqual(want.map((h) => h.id));
      got.forEach((h, i) => expect(h.score, because('modes', `${what}, rank ${i + 1}: the score`)).toBeCloseTo(want[i].score, 9));
    };
    for (const q of questions.slice(0, 12).map((x) => x.question)) {
      const [qv] = await embedder.embed([q]);
      const lexical = await bm25.search(q, 20);
      const dense = await index.search(qv, 20);
      for (const k of [3, 7]) {
        same(await pipeline.searchChunks(q, 'bm25', k), lexical.slice(0, k), `searchChunks("${q}", "bm25", ${k}): BM25's top ${k}, with BM25 scores`);
        same(await pipeline.searchChunks(q, 'dense', k), dense.slice(0, k), `searchChunks("${q}", "dense", ${k}): the vector index's top ${k}, with cosine scores`);
        same(await pipeline.searchChunks(q, 'hybrid', k), (await reciprocalRankFusion([lexical, dense])).slice(0, k), `searchChunks("${q}", "hybrid", ${k}): RRF of both retrievers' top 20 chunks, cut to ${k}`);
        const wantPages = {
          bm25: pages(lexical).slice(0, k).map((h) => h.id),
          dense: pages(dense).slice(0, k).map((h) => h.id),
          hybrid: (await reciprocalRankFusion([pages(lexical), pages(dense)])).slice(0, k).map((h) => h.id),
        };
        for (const mode of ['bm25', 'dense', 'hybrid'] as const) {
          expect(await pipeline.searchDocuments(q, mode, k), because('pages', `searchDocuments("${q}", "${mode}", ${k}): pages ranked by their best chunk among each retriever's top 20 chunks${mode === 'hybrid' ? ', fused with RRF' : ''}, cut to ${k}`)).toEqual(wantPages[mode]);
        }
      }
    }
  });
});

describe('retrieval quality (hidden)', () => {
  test(`hybrid recall@5 on the fixture questions is at least BM25's and at least ${HYBRID_FLOOR}`, async () => {
    const pipeline = await buildPipeline(docs.map((d) => ({ id: d.id, title: d.title, text: d.text })));
    const mean = async (mode: 'bm25' | 'dense' | 'hybrid') => {
      let sum = 0;
      for (const q of questions) sum += recall(await pipeline.searchDocuments(q.question, mode, 5), qrels[q.id], 5);
      return sum / questions.length;
    };
    const bm25 = await mean('bm25');
    const dense = await mean('dense');
    const hybrid = await mean('hybrid');
    const table = `recall@5: bm25 ${bm25.toFixed(3)}, dense ${dense.toFixed(3)}, hybrid ${hybrid.toFixed(3)}`;
    expect(bm25, `${table}; BM25 alone should already find most answers`).toBeGreaterThan(0.6);
    expect(hybrid, because('fusion', `${table}; fusing should not lose what BM25 finds`)).toBeGreaterThanOrEqual(bm25);
    expect(hybrid, because('below-floor', `${table}; below the floor of ${HYBRID_FLOOR}`)).toBeGreaterThanOrEqual(HYBRID_FLOOR);
  });
});
