import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Chunking from '../src/chunk.ts';
import type * as Tokenizer from '../src/tokenizer.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { chunkDocument } = await learner<typeof Chunking>('src/chunk.ts');
const { countTokens } = await learner<typeof Tokenizer>('src/tokenizer.ts');

describe('chunking', () => {
  test('splits a document into overlapping token windows with offsets', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(12).trim();
    const chunks = await chunkDocument({ id: 'fox', text }, { maxTokens: 32, overlap: 8 });
    expect(chunks.length, 'about 120 tokens in windows of 32 that advance by 24: 5 chunks').toBe(5);
    for (const [i, c] of chunks.entries()) {
      expect(c.id).toBe(`fox#${i}`);
      expect(c.text, 'text must equal the slice its offsets point at').toBe(text.slice(c.start, c.end));
      expect(c.tokenCount).toBeLessThanOrEqual(32);
      expect(await countTokens(c.text)).toBeLessThanOrEqual(32);
    }
    expect(chunks[0].start).toBe(0);
    expect(chunks.at(-1)!.end).toBe(text.length);
    expect(chunks[1].start, 'the second chunk starts inside the first (overlap)').toBeLessThan(chunks[0].end);
  });
});
