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
