import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { field, learner } from '#ailab/learner';
import type * as TokenizerModule from '../src/tokenizer.ts';
import type * as Train from '../src/train.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { Tokenizer } = await learner<typeof TokenizerModule>('src/tokenizer.ts');
const { trainBPE } = await learner<typeof Train>('src/train.ts');

const corpus = readFileSync(new URL('../../../fixtures/tokenizer/corpus.txt', import.meta.url), 'utf8');

describe('persistence (hidden)', () => {
  test('save, load and encode the corpus identically', async () => {
    const tok = await trainBPE(corpus.slice(0, 40_000), 500, { specialTokens: ['<|endoftext|>', '<|pad|>'] });
    const saved = await tok.save();
    expect(typeof saved).toBe('string');
    const back = await Tokenizer.load(saved);
    expect(await field(back, 'merges')).toEqual(await field(tok, 'merges'));
    expect(await field(back, 'specialTokens')).toEqual({ '<|endoftext|>': 500, '<|pad|>': 501 });
    const text = `${corpus.slice(40_000, 80_000)}<|endoftext|>`;
    const a = await tok.encode(text, { allowedSpecial: 'all' });
    const b = await back.encode(text, { allowedSpecial: 'all' });
    expect(a.at(-1)).toBe(500);
    expect(a.length === b.length && a.every((id, i) => id === b[i]), 'the loaded tokenizer must encode exactly like the saved one').toBe(true);
    expect(await back.save(), 'saving a loaded tokenizer gives the same file').toBe(saved);
  });

  test('a truncated or corrupt file throws a clear error', async () => {
    const tok = await trainBPE('low lower lowest newer wider', 270, { specialTokens: ['<|end|>'] });
    const saved = await tok.save();
    const clear = /corrupt|truncat|invalid|malformed/i;
    for (const keep of [0.25, 0.5, 0.9]) {
      const cut = saved.slice(0, Math.floor(saved.length * keep));
      await expect(Tokenizer.load(cut), `a file cut to ${keep * 100}% of its length`).rejects.toThrow(clear);
    }
    await expect(Tokenizer.load(saved.slice(0, -1)), 'a file missing its last character').rejects.toThrow(clear);
    await expect(Tokenizer.load(''), 'an empty file').rejects.toThrow(clear);
    await expect(Tokenizer.load('{"hello": "world"}'), 'JSON that is not a tokenizer file').rejects.toThrow(clear);
    // The last merge now refers to token 999, which does not exist in a 270-token vocabulary.
    const data = JSON.parse(saved) as { merges: [number, number][] };
    const last = data.merges.length - 1;
    data.merges[last] = [data.merges[last]![0], 999];
    await expect(Tokenizer.load(JSON.stringify(data)), 'a merge that refers to token 999').rejects.toThrow(clear);
  });
});
