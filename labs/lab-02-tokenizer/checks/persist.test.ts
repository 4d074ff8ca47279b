import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { because } from '#ailab/checks';
import { field, learner } from '#ailab/learner';
import type * as TokenizerModule from '../src/tokenizer.ts';
import type * as Train from '../src/train.ts';
import { idDifference, sameIds, settle } from './helpers.ts';

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
    // Each way of failing gets its own hint (hint_when in lab.yaml): the merges, the special tokens,
    // encoding with an allowed special (task 4), the loaded tokenizer's encoding, saving it again.
    const merges = await field<[number, number][]>(tok, 'merges');
    const loaded = await field<[number, number][] | undefined>(back, 'merges');
    expect(sameIds(loaded, merges), because('merges', `the loaded tokenizer's merges differ from the ${merges.length} that were saved: ${mergeDifference(loaded, merges)}`)).toBe(true);
    const specials = await field<Record<string, number>>(back, 'specialTokens');
    const keptSpecials = typeof specials === 'object' && specials !== null && !Array.isArray(specials) && Object.keys(specials).length === 2 && specials['<|endoftext|>'] === 500 && specials['<|pad|>'] === 501;
    expect(keptSpecials, because('specials', `the loaded tokenizer's special tokens: got ${JSON.stringify(specials)}, expected {"<|endoftext|>":500,"<|pad|>":501}`)).toBe(true);
    const text = `${corpus.slice(40_000, 80_000)}<|endoftext|>`;
    const encoded = await settle(tok.encode(text, { allowedSpecial: 'all' }));
    expect(encoded.ok, because('encode-special', `encode(text ending in <|endoftext|>, { allowedSpecial: 'all' }) threw: ${encoded.ok ? '' : encoded.error}`)).toBe(true);
    const a = encoded.ok ? encoded.value : [];
    expect(a.at(-1) === 500, because('encode-special', `encode(text ending in <|endoftext|>, { allowedSpecial: 'all' }): the last id is ${a.at(-1)}, expected 500 (the id of <|endoftext|>)`)).toBe(true);
    const b = await back.encode(text, { allowedSpecial: 'all' });
    const same = a.length === b.length && a.every((id, i) => id === b[i]);
    expect(same, because('encoding', `the loaded tokenizer encodes the text differently from the saved one: ${same ? '' : idDifference(b, a)}`)).toBe(true);
    const again = await back.save();
    expect(again === saved, because('resave', `saving the loaded tokenizer gives a different file: ${again === saved ? '' : fileDifference(again, saved)}`)).toBe(true);
  });

  test('a truncated or corrupt file throws a clear error', async () => {
    const tok = await trainBPE('low lower lowest newer wider', 270, { specialTokens: ['<|end|>'] });
    const saved = await tok.save();
    const clear = /corrupt|truncat|invalid|malformed/i;
    /** Loads text, which must be refused with an error that says the file is corrupt (the hint_when key names the cause). */
    const expectRefused = async (text: string, what: string, key: string) => {
      const r = await settle(Tokenizer.load(text));
      const seen = r.ok ? 'returned a tokenizer' : `threw ${JSON.stringify(r.error)}`;
      expect(!r.ok && clear.test(r.message), because(key, `${what}: Tokenizer.load ${seen}, expected an error that says the file is corrupt, truncated, invalid or malformed`)).toBe(true);
    };
    for (const keep of [0.25, 0.5, 0.9]) {
      await expectRefused(saved.slice(0, Math.floor(saved.length * keep)), `a file cut to ${keep * 100}% of its length`, 'not-json');
    }
    await expectRefused(saved.slice(0, -1), 'a file missing its last character', 'not-json');
    await expectRefused('', 'an empty file', 'not-json');
    await expectRefused('{"hello": "world"}', 'JSON that is not a tokenizer file ({"hello": "world"})', 'not-a-tokenizer');
    // The last merge now refers to token 999, which does not exist in a 270-token vocabulary.
    const data = JSON.parse(saved) as { merges: [number, number][] };
    const last = data.merges.length - 1;
    data.merges[last] = [data.merges[last]![0], 999];
    await expectRefused(JSON.stringify(data), `a file whose merge ${last} refers to token 999, in a vocabulary of 270`, 'merge-ids');

    // Every field is checked, and each bad value is reported as a bad file, not as whatever error it causes later.
    const base = JSON.parse(saved) as Record<string, unknown> & { merges: unknown[]; specialTokens: Record<string, unknown> };
    const edited = (change: (d: typeof base) => void): string => {
      const d = JSON.parse(saved) as typeof base;
      change(d);
      return JSON.stringify(d);
    };
    await expectRefused('null', 'the JSON value null', 'not-a-tokenizer');
    await expectRefused('42', 'the JSON value 42', 'not-a-tokenizer');
    await expectRefused(edited((d) => (d.format = 'other-bpe')), 'a file whose format is "other-bpe"', 'not-a-tokenizer');
    await expectRefused(edited((d) => (d.version = 2)), 'a file of version 2', 'not-a-tokenizer');
    await expectRefused(edited((d) => (d.pattern = 42)), 'a file whose pattern is the number 42', 'not-a-tokenizer');
    await expectRefused(edited((d) => (d.merges = {} as never)), 'a file whose merges are an object, not an array', 'not-a-tokenizer');
    await expectRefused(edited((d) => (d.vocabSize = 999)), 'a file whose vocabSize (999) does not match its merges', 'not-a-tokenizer');
    await expectRefused(edited((d) => delete d.vocabSize), 'a file without vocabSize', 'not-a-tokenizer');
    // A pattern that is no regular expression with the gu flags: a bad file, not a raw SyntaxError from new RegExp.
    for (const pattern of ['(unclosed', '\\p{NoSuchProperty}+']) {
      const r = await settle(Tokenizer.load(edited((d) => (d.pattern = pattern))));
      const seen = r.ok ? 'returned a tokenizer' : `threw ${JSON.stringify(r.error)}`;
      expect(
        !r.ok && clear.test(r.message) && !r.error.startsWith('SyntaxError'),
        because('not-a-tokenizer', `a file whose pattern ${JSON.stringify(pattern)} is not a valid regular expression with the gu flags: Tokenizer.load ${seen}, expected an Error that says the file is corrupt or invalid (not the SyntaxError of new RegExp)`),
      ).toBe(true);
    }
    const badMerges: [unknown, string][] = [
      ['ab', 'the string "ab"'],
      [[97, 98, 99], 'three ids'],
      [[97.5, 98], 'the id 97.5'],
      [[-1, 98], 'the id -1'],
      [[256 + last, 97], `its own id ${256 + last}`],
    ];
    for (const [merge, what] of badMerges) {
      await expectRefused(edited((d) => (d.merges[last] = merge)), `a file whose merge ${last} is ${JSON.stringify(merge)} (${what})`, 'merge-ids');
    }
    const nextId = 256 + base.merges.length;
    const badSpecials: [unknown, string][] = [
      [null, 'null'],
      [[], 'an array'],
      [5, 'the number 5'],
      [{ '<|end|>': 256 }, 'an id of an ordinary token (256)'],
      [{ '<|end|>': nextId - 1 }, `an id of an ordinary token (${nextId - 1})`],
      [{ '<|end|>': nextId + 0.5 }, `the id ${nextId + 0.5}`],
      [{ '<|end|>': String(nextId) }, `the string ${JSON.stringify(String(nextId))}`],
      [{ '<|a|>': nextId, '<|b|>': nextId }, `one id (${nextId}) twice`],
    ];
    for (const [specials, what] of badSpecials) {
      await expectRefused(edited((d) => (d.specialTokens = specials as never)), `a file whose specialTokens are ${JSON.stringify(specials)} (${what})`, 'specials');
    }

    // A valid file written by hand loads: ids 0 and 256 + k - 1 may appear in merge k, and special ids start at 256 + merges.length.
    const handMade = JSON.stringify({ format: 'ailab-bpe', version: 1, pattern: '\\S+|\\s+', vocabSize: 258, merges: [[0, 0], [256, 97]], specialTokens: { '<|x|>': 258 } });
    const r = await settle(Tokenizer.load(handMade));
    expect(r.ok, because('valid', `Tokenizer.load(${handMade}) threw ${r.ok ? '' : JSON.stringify(r.error)}: the file is valid`)).toBe(true);
    if (r.ok) {
      const ids = await settle(r.value.encode('\u0000\u0000a \u0000\u0000<|x|>', { allowedSpecial: 'all' }));
      const want = [257, 32, 256, 258];
      expect(ids.ok && sameIds(ids.value, want), because('valid', `the hand-made file's tokenizer: encode("\\u0000\\u0000a \\u0000\\u0000<|x|>", { allowedSpecial: 'all' }) ${ids.ok ? `gave ${JSON.stringify(ids.value)}` : `threw ${JSON.stringify(ids.error)}`}, expected ${JSON.stringify(want)}`)).toBe(true);
    }
  });
});

describe('Tokenizer.fromMerges (hidden)', () => {
  test('merge k is id 256 + k, a chunk that is a token is emitted whole, and a merge of a missing id throws', async () => {
    // b c -> 256, a b -> 257, c d -> 258, (ab)(cd) -> 259 "abcd". Merging by rank alone turns "abcd"
    // into a (bc) d and gets stuck, but "abcd" is a token: step 1 of encoding emits it whole.
    const tok = await Tokenizer.fromMerges([[98, 99], [97, 98], [99, 100], [257, 258]], { pattern: '\\S+|\\s+', specialTokens: { '<|x|>': 260 } });
    expect(await tok.encode('abcd'), 'encode("abcd"): the chunk\'s bytes are token 259, so emit it whole (step 1 of encoding with ranks)').toEqual([259]);
    expect(await tok.encode('abcde bcd'), '"abcde" is not a token: a (bc) d e; "bcd" is (bc) d').toEqual([97, 256, 100, 101, 32, 256, 100]);
    expect(await tok.decode([259, 32, 257, 260])).toBe('abcd ab<|x|>');
    expect(await field(tok, 'vocabSize'), 'vocabSize: 256 bytes, 4 merges and 1 special token').toBe(261);
    for (const merges of [[[97, 256]], [[256, 97]], [[97, 98], [257, 97]]]) {
      const r = await settle(Tokenizer.fromMerges(merges as [number, number][]));
      expect(
        !r.ok && r.error.startsWith('RangeError'),
        `Tokenizer.fromMerges(${JSON.stringify(merges)}) ${r.ok ? 'returned a tokenizer' : `threw ${JSON.stringify(r.error)}`}: a merge that refers to an id that does not exist yet must throw a RangeError`,
      ).toBe(true);
    }
  });
});

/** Where two saved files first differ, with a little text around it. */
function fileDifference(got: string, want: string): string {
  let i = 0;
  while (i < got.length && i < want.length && got[i] === want[i]) i++;
  const around = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 20), i + 40));
  return `they differ at character ${i}: got …${around(got)}…, expected …${around(want)}…`;
}

/** Where two merge lists first differ (or that there are none), for a message. */
function mergeDifference(got: readonly [number, number][] | undefined, want: readonly [number, number][]): string {
  if (!Array.isArray(got)) return `the loaded tokenizer has no merges (${JSON.stringify(got)})`;
  let k = 0;
  while (k < got.length && k < want.length && got[k]![0] === want[k]![0] && got[k]![1] === want[k]![1]) k++;
  return `it has ${got.length}; merge ${k} is ${JSON.stringify(got[k] ?? null)}, expected ${JSON.stringify(want[k] ?? null)}`;
}
