import { describe, expect, test } from 'vitest';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { field, learner } from '#ailab/learner';
import type * as Pretokenize from '../src/pretokenize.ts';
import type * as Ranks from '../src/ranks.ts';
import type * as TokenizerModule from '../src/tokenizer.ts';
import type * as Train from '../src/train.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { splitText } = await learner<typeof Pretokenize>('src/pretokenize.ts');
const { loadTiktokenRanks } = await learner<typeof Ranks>('src/ranks.ts');
const { Tokenizer } = await learner<typeof TokenizerModule>('src/tokenizer.ts');
const { trainBPE } = await learner<typeof Train>('src/train.ts');

describe('trainBPE', () => {
  test('learns the most frequent pairs of a tiny corpus', async () => {
    // "ab ab ab" splits into "ab", " ab", " ab": (a,b) is seen 3 times, then (" ", ab) twice.
    const tok = await trainBPE('ab ab ab', 300);
    expect(await field(tok, 'merges'), 'merges learned from "ab ab ab" (training stops when no pair is left)').toEqual([
      [97, 98],
      [32, 256],
    ]);
    expect(await tok.encode('ab ab ab')).toEqual([256, 257, 257]);
  });

  test('rejects a vocabulary size below 256', async () => {
    await expect(trainBPE('hello', 255), 'vocabSize 255 leaves no room for the 256 byte tokens').rejects.toThrow(/256/);
  });
});

describe('round trip', () => {
  test('decode(encode(text)) gives the text back for ASCII, accents, CJK and emoji', async () => {
    const tok = await trainBPE('the cat sat on the mat; the cat ate. 猫が座った 🐈🐈', 280);
    for (const text of ['the cat', 'naïve café', '東京の猫', '🐈‍⬛ and 👍🏽', 'unseen: ÆØÅ ∑ ∫', '']) {
      expect(await tok.decode(await tok.encode(text)), `round trip of ${JSON.stringify(text)}`).toBe(text);
    }
  });
});

describe('splitText', () => {
  test('splits a sentence like GPT-4', async () => {
    expect(await splitText("Hello world's 1234567 tokens!!  \n\nI'M here")).toEqual([
      'Hello', ' world', "'s", ' ', '123', '456', '7', ' tokens', '!!', '  \n\n', 'I', "'M", ' here',
    ]);
  });
});

describe('loadTiktokenRanks', () => {
  test('"tiktoken is great!" matches cl100k_base', async () => {
    const enc = await loadTiktokenRanks(cl100k);
    expect(await enc.encode('tiktoken is great!')).toEqual([83, 1609, 5963, 374, 2294, 0]);
  });
});

describe('special tokens', () => {
  test('a disallowed special token throws', async () => {
    const tok = await trainBPE('hello world', 260, { specialTokens: ['<|endoftext|>'] });
    await expect(tok.encode('hi <|endoftext|>'), 'specials are disallowed by default').rejects.toThrow(/<\|endoftext\|>/);
  });
});

describe('persistence', () => {
  test('load(save()) keeps the merges and the special tokens', async () => {
    const tok = await trainBPE('low lower lowest newer wider', 270, { specialTokens: ['<|end|>'] });
    const back = await Tokenizer.load(await tok.save());
    expect(await field(back, 'merges')).toEqual(await field(tok, 'merges'));
    expect(await field(back, 'specialTokens')).toEqual(await field(tok, 'specialTokens'));
  });
});
