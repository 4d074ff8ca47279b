import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Tokenizer } from '../src/tokenizer.ts';
import { trainBPE } from '../src/train.ts';

const corpus = readFileSync(new URL('../../../fixtures/tokenizer/corpus.txt', import.meta.url), 'utf8');

describe('persistence (hidden)', () => {
  test('save, load and encode the corpus identically', () => {
    const tok = trainBPE(corpus.slice(0, 40_000), 500, { specialTokens: ['<|endoftext|>', '<|pad|>'] });
    const saved = tok.save();
    expect(typeof saved).toBe('string');
    const back = Tokenizer.load(saved);
    expect(back.merges).toEqual(tok.merges);
    expect(back.specialTokens).toEqual({ '<|endoftext|>': 500, '<|pad|>': 501 });
    const text = `${corpus.slice(40_000, 80_000)}<|endoftext|>`;
    const a = tok.encode(text, { allowedSpecial: 'all' });
    const b = back.encode(text, { allowedSpecial: 'all' });
    expect(a.at(-1)).toBe(500);
    expect(a.length === b.length && a.every((id, i) => id === b[i]), 'the loaded tokenizer must encode exactly like the saved one').toBe(true);
    expect(back.save(), 'saving a loaded tokenizer gives the same file').toBe(saved);
  });

  test('a truncated or corrupt file throws a clear error', () => {
    const tok = trainBPE('low lower lowest newer wider', 270, { specialTokens: ['<|end|>'] });
    const saved = tok.save();
    const clear = /corrupt|truncat|invalid|malformed/i;
    for (const keep of [0.25, 0.5, 0.9]) {
      const cut = saved.slice(0, Math.floor(saved.length * keep));
      expect(() => Tokenizer.load(cut), `a file cut to ${keep * 100}% of its length`).toThrow(clear);
    }
    expect(() => Tokenizer.load(saved.slice(0, -1)), 'a file missing its last character').toThrow(clear);
    expect(() => Tokenizer.load(''), 'an empty file').toThrow(clear);
    expect(() => Tokenizer.load('{"hello": "world"}'), 'JSON that is not a tokenizer file').toThrow(clear);
    // The last merge now refers to token 999, which does not exist in a 270-token vocabulary.
    const data = JSON.parse(saved) as { merges: [number, number][] };
    const last = data.merges.length - 1;
    data.merges[last] = [data.merges[last]![0], 999];
    expect(() => Tokenizer.load(JSON.stringify(data)), 'a merge that refers to token 999').toThrow(clear);
  });
});
