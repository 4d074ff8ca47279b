import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { because } from '#ailab/checks';
import { field, learner } from '#ailab/learner';
import type * as Train from '../src/train.ts';
import { sameIds } from './helpers.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { trainBPE } = await learner<typeof Train>('src/train.ts');

const corpus = readFileSync(new URL('../../../fixtures/tokenizer/corpus.txt', import.meta.url), 'utf8');

/** Brute-force reference: recount every pair before every merge (slow, obviously right). */
function bruteForceMerges(text: string, vocabSize: number): [number, number][] {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(cl100k.pat_str, 'gu'))) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const enc = new TextEncoder();
  let words = [...counts].map(([w, n]) => ({ ids: Array.from(enc.encode(w)), n }));
  const merges: [number, number][] = [];
  while (256 + merges.length < vocabSize) {
    const pairs = new Map<string, number>();
    for (const w of words) for (let i = 0; i + 1 < w.ids.length; i++) {
      const k = `${w.ids[i]},${w.ids[i + 1]}`;
      pairs.set(k, (pairs.get(k) ?? 0) + w.n);
    }
    let best: [number, number] | null = null;
    let bestCount = 0;
    for (const [k, c] of pairs) {
      const [a, b] = k.split(',').map(Number) as [number, number];
      if (c > bestCount || (c === bestCount && best !== null && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b];
        bestCount = c;
      }
    }
    if (best === null) break;
    const id = 256 + merges.length;
    merges.push(best);
    words = words.map(({ ids, n }) => {
      const out: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === best![0] && ids[i + 1] === best![1]) {
          out.push(id);
          i++;
        } else out.push(ids[i]!);
      }
      return { ids: out, n };
    });
  }
  return merges;
}

describe('trainBPE (hidden)', () => {
  test('the classic "aaabdaaabac" with 3 merges', async () => {
    const tok = await trainBPE('aaabdaaabac', 259);
    // Wrong merges (training) and wrong ids with the right merges (the encoder) have their own hints.
    const merges = await field(tok, 'merges');
    const want = [[97, 97], [97, 98], [256, 257]] as const;
    expect(
      sameIds(merges, want),
      because('merges', `merges learned from "aaabdaaabac": got ${JSON.stringify(merges)}, expected [[97,97],[97,98],[256,257]]: aa -> 256 (4 times), then the tie ab vs (aa)a goes to (97,98), then (256,257)`),
    ).toBe(true);
    const ids = await tok.encode('aaabdaaabac');
    expect(sameIds(ids, [258, 100, 258, 97, 99]), because('encode', `with the right merges, encode("aaabdaaabac") gave ${JSON.stringify(ids)}, expected [258, 100, 258, 97, 99]`)).toBe(true);
  });

  test('ties go to the smallest pair of ids', async () => {
    // "ba ab" splits into "ba" and " ab": (98,97), (32,97) and (97,98) are each seen once.
    const tok = await trainBPE('ba ab', 259);
    expect(await field(tok, 'merges'), 'equal counts: smallest left id first, then smallest right id').toEqual([
      [32, 97],
      [98, 97],
      [256, 98],
    ]);
  });

  test('matches a brute-force trainer on a slice of the corpus', async () => {
    const slice = corpus.slice(0, 20_000);
    const expected = bruteForceMerges(slice, 600);
    const tok = await trainBPE(slice, 600);
    const got = (await field<[number, number][] | undefined>(tok, 'merges')) ?? [];
    const firstDiff = expected.findIndex((m, i) => got[i]?.[0] !== m[0] || got[i]?.[1] !== m[1]);
    // Wrong merges and a tokenizer that does not give its training text back have their own hints.
    expect(
      firstDiff === -1 && got.length === expected.length,
      because(
        'merges',
        `merge ${firstDiff} differs: expected ${JSON.stringify(expected[firstDiff])}, got ${JSON.stringify(got[firstDiff])} ` +
          `(${got.length} merges vs ${expected.length} expected). After a merge, are the counts of the neighbouring pairs updated?`,
      ),
    ).toBe(true);
    const back = await tok.decode(await tok.encode(slice));
    let at = 0;
    while (at < slice.length && back[at] === slice[at]) at++;
    expect(
      back === slice,
      because('round-trip', `with the right merges, decode(encode(training text)) differs from the text at character ${at}: got ${JSON.stringify(back.slice(at, at + 20))}, expected ${JSON.stringify(slice.slice(at, at + 20))}`),
    ).toBe(true);
  });

  test('the same corpus gives the same merges', async () => {
    const slice = corpus.slice(20_000, 60_000);
    const a = await trainBPE(slice, 400);
    const b = await trainBPE(slice, 400);
    const merges = await field(a, 'merges');
    expect(merges).toHaveLength(144);
    expect(await field(b, 'merges')).toEqual(merges);
  });

  test('vocabSize counts the merges and the special tokens, and 256 means no merges', async () => {
    const bytesOnly = await trainBPE('hello hello', 256);
    expect(await field(bytesOnly, 'merges'), 'vocabSize 256 is valid: the 256 byte tokens and no merge').toEqual([]);
    expect(await bytesOnly.encode('hi'), 'with no merges every byte is its own token').toEqual([104, 105]);
    expect(await field(bytesOnly, 'vocabSize')).toBe(256);
    const plain = await trainBPE('ab ab ab', 300);
    expect(await field(plain, 'specialTokens'), 'no specialTokens option: no special tokens').toEqual({});
    expect(await field(plain, 'vocabSize'), '"ab ab ab" has 2 merges: 256 + 2 ids').toBe(258);
    const withSpecials = await trainBPE('ab ab ab', 300, { specialTokens: ['<|a|>', '<|b|>'] });
    expect(await field(withSpecials, 'specialTokens'), 'the specials get the ids right after the last merge, in order').toEqual({ '<|a|>': 258, '<|b|>': 259 });
    expect(await field(withSpecials, 'vocabSize'), '256 bytes + 2 merges + 2 special tokens').toBe(260);
  });

  test('training on empty text throws', async () => {
    await expect(trainBPE('', 300), 'an empty corpus has nothing to learn from: throw a clear error').rejects.toThrow(/empty/i);
  });
});
