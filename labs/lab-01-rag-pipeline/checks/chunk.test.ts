import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import { because } from '#ailab/checks';
import type * as Chunking from '../src/chunk.ts';
import type { Chunk } from '../src/chunk.ts';
import type * as Errors from '../src/errors.ts';
import { loadFixtures, tokenBoundaries } from './reference.ts';

const { chunkCorpus, chunkDocument } = await learner<typeof Chunking>('src/chunk.ts');
const { RagError } = await learner<typeof Errors>('src/errors.ts');
type RagError = InstanceType<typeof RagError>;

const { docs } = loadFixtures();
// a few real pages plus one long page made of several, so there are many windows per document
const long = { id: 'long', text: docs.slice(0, 12).map((d) => d.text).join('\n\n') };
const samples = [long, ...docs.filter((_, i) => i % 15 === 0)];
const settings = [
  { maxTokens: 64, overlap: 16 },
  { maxTokens: 40, overlap: 0 },
  { maxTokens: 100, overlap: 50 },
  { maxTokens: 17, overlap: 3 },
];

const unicodeDoc = {
  id: 'unicode',
  text:
    'Café crème, naïve résumé: ÅNGSTRÖM. 東京の喫茶店でコーヒーを飲みました。 ' +
    'Emoji: 🦜🦩🪿 and a family 👩‍👩‍👧‍👦, flags 🇯🇵🇧🇷, skin tone 👍🏽, a math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 line. ' +
    'Ελληνικά και русский текст, עברית, العربية, हिन्दी. '.repeat(3) +
    '🧉🪴🫖 brewing notes: 92 °C, 1:16 ratio — done ✅. '.repeat(4),
};

/** The index of the token boundary at string index `at`, or -1 if `at` is not a token boundary. */
function boundaryIndex(bounds: (number | null)[], at: number): number {
  return bounds.indexOf(at);
}

function reconstruct(chunks: Chunk[]): string {
  let out = chunks[0].text;
  for (let i = 1; i < chunks.length; i++) out += chunks[i].text.slice(chunks[i - 1].end - chunks[i].start);
  return out;
}

describe('chunking (hidden)', () => {
  test('no chunk spans more than maxTokens tokens', async () => {
    for (const opts of settings) {
      for (const doc of samples) {
        const bounds = tokenBoundaries(doc.text);
        for (const c of await chunkDocument(doc, opts)) {
          const a = boundaryIndex(bounds, c.start);
          const b = boundaryIndex(bounds, c.end);
          // start and end that are not where the chunk's text is (token positions, say) only land on
          // token boundaries by chance: then a wrong span or count is the boundary hint's business
          const misplaced = c.text !== doc.text.slice(c.start, c.end) ? `; its text is not doc.text.slice(${c.start}, ${c.end}), so start and end are not the string indices of its tokens` : '';
          expect(a >= 0 && b >= 0, because('boundary', `chunk ${c.id} [${c.start}, ${c.end}) must start and end on cl100k token boundaries of the document`)).toBe(true);
          expect(b - a, because(misplaced ? 'boundary' : 'too-long', `chunk ${c.id} spans ${b - a} tokens with maxTokens ${opts.maxTokens}${misplaced}`)).toBeLessThanOrEqual(opts.maxTokens);
          expect(c.tokenCount, because(misplaced ? 'boundary' : 'token-count', `chunk ${c.id}: tokenCount is ${c.tokenCount}, expected the ${b - a} document tokens it spans${misplaced}`)).toBe(b - a);
        }
      }
    }
  });

  test('each window is as long as allowed and the next one starts exactly overlap tokens before its end', async () => {
    for (const opts of settings) {
      for (const doc of samples) {
        const bounds = tokenBoundaries(doc.text);
        const total = bounds.length - 1;
        const chunks = await chunkDocument(doc, opts);
        expect(boundaryIndex(bounds, chunks[0].start), because('window-length', `${doc.id}: the first chunk starts at token 0`)).toBe(0);
        chunks.forEach((c, i) => {
          const a = boundaryIndex(bounds, c.start);
          const b = boundaryIndex(bounds, c.end);
          expect(b, because('window-length', `${c.id} should end at token min(start + maxTokens, total) = ${Math.min(a + opts.maxTokens, total)} (maxTokens ${opts.maxTokens})`)).toBe(Math.min(a + opts.maxTokens, total));
          if (i > 0) {
            const prevEnd = boundaryIndex(bounds, chunks[i - 1].end);
            expect(prevEnd - a, because('overlap', `${chunks[i - 1].id} and ${c.id} share ${prevEnd - a} tokens, expected exactly ${opts.overlap}`)).toBe(opts.overlap);
          }
        });
        expect(boundaryIndex(bounds, chunks.at(-1)!.end), because('last-window', `${doc.id}: the last chunk must reach the last token`)).toBe(total);
      }
    }
  });

  test('dropping the overlaps and concatenating reconstructs every document', async () => {
    for (const opts of settings) {
      for (const doc of samples) {
        const chunks = await chunkDocument(doc, opts);
        expect(reconstruct(chunks) === doc.text, because('lost-text', `${doc.id} with ${JSON.stringify(opts)}: chunks[0].text + each next chunk's text after the overlap (prev.end - next.start characters) must give back the document`)).toBe(true);
      }
    }
    const corpusOpts = { maxTokens: 64, overlap: 16 };
    const all = await chunkCorpus(docs, corpusOpts);
    for (const doc of docs) {
      const mine = all.filter((c) => c.docId === doc.id);
      if (mine.length > 0 && reconstruct(mine) === doc.text) continue;
      // whose fault: chunkCorpus, or chunkDocument on this document (not one of the samples above)?
      const alone = await chunkDocument(doc, corpusOpts).catch(() => []);
      const key = alone.length > 0 && reconstruct(alone) === doc.text ? 'corpus' : 'lost-text';
      const own = key === 'corpus' ? ", though chunkDocument's own chunks of it do" : '';
      expect(mine.length, because(key, `chunkCorpus lost document ${doc.id}`)).toBeGreaterThan(0);
      expect(reconstruct(mine) === doc.text, because(key, `chunkCorpus: ${doc.id} does not reconstruct${own}`)).toBe(true);
    }
  });

  test('every offset points at the chunk text, and ids are docId#index', async () => {
    for (const opts of settings) {
      for (const doc of samples) {
        (await chunkDocument(doc, opts)).forEach((c, i) => {
          expect(c.text, because('offsets', `${doc.id} chunk ${i}: text must equal doc.text.slice(start, end) = slice(${c.start}, ${c.end})`)).toBe(doc.text.slice(c.start, c.end));
          expect(c.docId, because('ids', `${doc.id} chunk ${i}: docId`)).toBe(doc.id);
          expect(c.index, because('ids', `${doc.id} chunk ${i}: index (0, 1, 2, ... in document order)`)).toBe(i);
          expect(c.id, because('ids', `${doc.id} chunk ${i}: id (docId#index)`)).toBe(`${doc.id}#${i}`);
        });
      }
    }
  });

  test('Unicode and emoji survive: no character is cut, nothing becomes U+FFFD', async () => {
    const bounds = tokenBoundaries(unicodeDoc.text);
    expect(bounds.includes(null), 'precondition: this text has tokens that start inside a character').toBe(true);
    for (const opts of [{ maxTokens: 16, overlap: 8 }, { maxTokens: 20, overlap: 5 }, { maxTokens: 33, overlap: 0 }, { maxTokens: 64, overlap: 32 }]) {
      const chunks = await chunkDocument(unicodeDoc, opts);
      expect(reconstruct(chunks) === unicodeDoc.text, `${JSON.stringify(opts)}: the chunks do not reconstruct the text`).toBe(true);
      chunks.forEach((c, i) => {
        expect(c.text.includes('\uFFFD'), `chunk ${i} contains U+FFFD: a character was cut and decoded from partial bytes`).toBe(false);
        expect(c.text).toBe(unicodeDoc.text.slice(c.start, c.end));
        expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(c.text), `chunk ${i} starts or ends in the middle of a surrogate pair`).toBe(false);
        const a = boundaryIndex(bounds, c.start);
        const b = boundaryIndex(bounds, c.end);
        expect(a >= 0 && b >= 0, `chunk ${i} must start and end on token boundaries that are also character boundaries`).toBe(true);
        expect(b - a).toBeLessThanOrEqual(opts.maxTokens);
        if (i > 0) {
          const shared = boundaryIndex(bounds, chunks[i - 1].end) - a;
          expect(shared, `chunks ${i - 1} and ${i} share ${shared} tokens; the overlap may only grow (by at most 3) to keep a character whole`).toBeGreaterThanOrEqual(opts.overlap);
          expect(shared).toBeLessThanOrEqual(opts.overlap + 3);
        }
      });
    }
  });

  test('empty documents, an empty corpus and impossible sizes throw a RagError', async () => {
    // Each kind of bad input has its own hint (hint_when in lab.yaml): the key names the one mishandled.
    const cases: [key: string, what: string, call: () => Promise<unknown>, code: string][] = [
      ['empty-document', 'chunkDocument with text ""', () => chunkDocument({ id: 'e', text: '' }, { maxTokens: 32, overlap: 4 }), 'EMPTY_DOCUMENT'],
      ['empty-document', 'chunkDocument with text " \\n\\t " (only whitespace)', () => chunkDocument({ id: 'w', text: ' \n\t ' }, { maxTokens: 32, overlap: 4 }), 'EMPTY_DOCUMENT'],
      ['empty-corpus', 'chunkCorpus with no documents', () => chunkCorpus([], { maxTokens: 32, overlap: 4 }), 'EMPTY_CORPUS'],
      ['overlap-range', 'overlap 32 with maxTokens 32 (the most is maxTokens / 2 = 16)', () => chunkDocument({ id: 'a', text: 'hello' }, { maxTokens: 32, overlap: 32 }), 'INVALID_OPTIONS'],
      ['max-tokens', 'maxTokens 8 (the least is 16)', () => chunkDocument({ id: 'a', text: 'hello' }, { maxTokens: 8, overlap: 2 }), 'INVALID_OPTIONS'],
      ['overlap-range', 'overlap -1 with maxTokens 32', () => chunkDocument({ id: 'a', text: 'hello' }, { maxTokens: 32, overlap: -1 }), 'INVALID_OPTIONS'],
    ];
    for (const [key, what, call, want] of cases) {
      let got = 'no error';
      try {
        await call();
      } catch (err) {
        expect(err instanceof RagError, because(key, `${what}: got ${String(err)}, expected RagError ${want}`)).toBe(true);
        got = (err as RagError).code;
        expect((err as RagError).message, because(key, `${what}: the RagError should say what is wrong, not only carry a code`)).not.toBe('');
      }
      expect(got, because(key, `${what}: got ${got === 'no error' ? 'no error' : `RagError ${got}`}, expected RagError ${want}`)).toBe(want);
    }
  });
});
