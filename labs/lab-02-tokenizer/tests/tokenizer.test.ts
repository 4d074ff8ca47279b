import { describe, expect, test } from 'vitest';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { splitText } from '../src/pretokenize.ts';
import { loadTiktokenRanks } from '../src/ranks.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import { trainBPE } from '../src/train.ts';

describe('trainBPE', () => {
  test('learns the most frequent pairs of a tiny corpus', () => {
    // "ab ab ab" splits into "ab", " ab", " ab": (a,b) is seen 3 times, then (" ", ab) twice.
    const tok = trainBPE('ab ab ab', 300);
    expect(tok.merges, 'merges learned from "ab ab ab" (training stops when no pair is left)').toEqual([
      [97, 98],
      [32, 256],
    ]);
    expect(tok.encode('ab ab ab')).toEqual([256, 257, 257]);
  });

  test('rejects a vocabulary size below 256', () => {
    expect(() => trainBPE('hello', 255), 'vocabSize 255 leaves no room for the 256 byte tokens').toThrow(/256/);
  });
});

describe('round trip', () => {
  test('decode(encode(text)) gives the text back for ASCII, accents, CJK and emoji', () => {
    const tok = trainBPE('the cat sat on the mat; the cat ate. 猫が座った 🐈🐈', 280);
    for (const text of ['the cat', 'naïve café', '東京の猫', '🐈‍⬛ and 👍🏽', 'unseen: ÆØÅ ∑ ∫', '']) {
      expect(tok.decode(tok.encode(text)), `round trip of ${JSON.stringify(text)}`).toBe(text);
    }
  });
});

describe('splitText', () => {
  test('splits a sentence like GPT-4', () => {
    expect(splitText("Hello world's 1234567 tokens!!  \n\nI'M here")).toEqual([
      'Hello', ' world', "'s", ' ', '123', '456', '7', ' tokens', '!!', '  \n\n', 'I', "'M", ' here',
    ]);
  });
});

describe('loadTiktokenRanks', () => {
  test('"tiktoken is great!" matches cl100k_base', () => {
    const enc = loadTiktokenRanks(cl100k);
    expect(enc.encode('tiktoken is great!')).toEqual([83, 1609, 5963, 374, 2294, 0]);
  });
});

describe('special tokens', () => {
  test('a disallowed special token throws', () => {
    const tok = trainBPE('hello world', 260, { specialTokens: ['<|endoftext|>'] });
    expect(() => tok.encode('hi <|endoftext|>'), 'specials are disallowed by default').toThrow(/<\|endoftext\|>/);
  });
});

describe('persistence', () => {
  test('load(save()) keeps the merges and the special tokens', () => {
    const tok = trainBPE('low lower lowest newer wider', 270, { specialTokens: ['<|end|>'] });
    const back = Tokenizer.load(tok.save());
    expect(back.merges).toEqual(tok.merges);
    expect(back.specialTokens).toEqual(tok.specialTokens);
  });
});
