import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import gpt2 from 'js-tiktoken/ranks/gpt2';
import { because } from '#ailab/checks';
import { learner } from '#ailab/learner';
import type * as Pretokenize from '../src/pretokenize.ts';
import type * as Ranks from '../src/ranks.ts';
import type * as Train from '../src/train.ts';
import { firstDifference, sameIds, settle } from './helpers.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { splitText } = await learner<typeof Pretokenize>('src/pretokenize.ts');
const { loadTiktokenRanks } = await learner<typeof Ranks>('src/ranks.ts');
const { trainBPE } = await learner<typeof Train>('src/train.ts');

const corpus = readFileSync(new URL('../../../fixtures/tokenizer/corpus.txt', import.meta.url), 'utf8');
const reference = new Tiktoken(cl100k);
// Loaded on first use, so that a missing task 3 fails only the checks that need the real ranks.
type Loaded = Awaited<ReturnType<typeof loadTiktokenRanks>>;
let loaded: Promise<Loaded> | undefined;
const cl100kTokenizer = (): Promise<Loaded> => (loaded ??= loadTiktokenRanks(cl100k));
// After a failed check the ranks are loaded afresh: its learner process may have been replaced (a hang, a crash).
afterEach(({ task }) => {
  if (task.result?.state === 'fail') loaded = undefined;
});

const tricky = [
  '',
  'plain ASCII',
  '\uFEFFstarts with a byte-order mark',
  'e\u0301 a\u0308 Z\u0327\u0303\u0300 (combining marks)',
  '漢字とかなの混じった文 한국어',
  '👨‍👩‍👧‍👦 🇫🇷 👍🏽 ❤️',
  '\t\r\n \u00a0\u3000\u2028 ',
  '\u0000\u0001\u007f',
];

type Encoder = Awaited<ReturnType<typeof trainBPE>>;

/**
 * decode(encode(text)) must give the text back. Each way of failing gets its own hint (hint_when in
 * lab.yaml): the empty string, a leading byte-order mark, and any other text.
 */
async function expectRoundTrip(name: string, tok: Encoder, text: string, options?: Parameters<Encoder['encode']>[1]) {
  const key = text === '' ? 'empty' : text.startsWith('\uFEFF') ? 'bom' : 'lossless';
  const what = `${name}: round trip of ${JSON.stringify(text)}`;
  const ids = await settle(tok.encode(text, options));
  expect(ids.ok, because(key, `${what}: encode threw ${ids.ok ? '' : JSON.stringify(ids.error)}`)).toBe(true);
  const back = ids.ok ? await settle(tok.decode(ids.value)) : undefined;
  expect(back?.ok, because(key, `${what}: decode(${JSON.stringify(ids.ok ? ids.value : [])}) threw ${back?.ok !== false ? '' : JSON.stringify(back.error)}`)).toBe(true);
  const got = back?.ok ? back.value : undefined;
  expect(got === text, because(key, `${what}: decode(encode(text)) gave ${JSON.stringify(got)}`)).toBe(true);
}

describe('round trip (hidden)', () => {
  test('lossless on emoji, combining marks, CJK, a BOM and the empty string', async () => {
    const ours = await cl100kTokenizer();
    const trained = await trainBPE(corpus.slice(0, 30_000), 400);
    for (const [name, tok] of [['trained', trained], ['cl100k_base', ours]] as const) {
      for (const text of tricky) await expectRoundTrip(name, tok, text);
    }
    // Random strings of code points from every plane (no lone surrogates), seeded.
    let seed = 12345;
    const next = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 200; k++) {
      let text = '';
      const len = Math.floor(next() * 40);
      for (let i = 0; i < len; i++) {
        const r = next();
        let cp = r < 0.4 ? 32 + Math.floor(next() * 95) : r < 0.8 ? Math.floor(next() * 0xd800) : 0xe000 + Math.floor(next() * (0x110000 - 0xe000));
        if (cp >= 0xd800 && cp < 0xe000) cp = 0x41;
        text += String.fromCodePoint(cp);
      }
      for (const [name, tok] of [['trained', trained], ['cl100k_base', ours]] as const) {
        await expectRoundTrip(name, tok, text, { disallowedSpecial: [] });
      }
    }
  });

  test('a lone surrogate becomes U+FFFD, as in tiktoken', async () => {
    const ours = await cl100kTokenizer();
    const text = 'a\uD800b \uDC00';
    expect(await ours.encode(text), 'same ids as js-tiktoken, which encodes the lone surrogate as U+FFFD').toEqual(reference.encode(text));
    expect(await ours.decode(await ours.encode(text))).toBe('a\uFFFDb \uFFFD');
  });
});

describe('decode (hidden)', () => {
  test('an unknown token id throws', async () => {
    const ours = await cl100kTokenizer();
    const tok = await trainBPE('hello hello', 260);
    await expect(tok.decode([104, 5000]), 'id 5000 is not in a 260-token vocabulary: throw, do not skip it').rejects.toThrow(/5000/);
    await expect(ours.decode([15339, 100256]), '100256 is an unused id in cl100k_base').rejects.toThrow(/100256/);
    await expect(ours.decode([-1])).rejects.toThrow();
  });
});

describe('splitText (hidden)', () => {
  test('matches the cl100k pattern on the corpus, contractions in any case', async () => {
    const refSplit = (s: string): string[] => s.match(new RegExp(cl100k.pat_str, 'gu')) ?? [];
    const sample = "I'M sure we'LL see THEY'RE fine, he'D say: it'S ok! DON'T 'Ve 'rE O'Reilly 'TWAS 'Music";
    expect(await splitText(sample)).toEqual(refSplit(sample));
    const got = await splitText(corpus);
    const want = refSplit(corpus);
    const i = want.findIndex((c, k) => got[k] !== c);
    expect(i === -1 && got.length === want.length, `chunk ${i} differs: expected ${JSON.stringify(want[i])}, got ${JSON.stringify(got[i])}`).toBe(true);
  });
});

describe('cl100k_base (hidden)', () => {
  test('"hello world" gives [15339, 1917]', async () => {
    const ours = await cl100kTokenizer();
    expect(await ours.encode('hello world')).toEqual([15339, 1917]);
  });

  test('"today\\n \\n" gives [31213, 27907]', async () => {
    const ours = await cl100kTokenizer();
    expect(await ours.encode('today\n \n')).toEqual([31213, 27907]);
  });

  test('"👍" gives [9468, 239, 235]', async () => {
    const ours = await cl100kTokenizer();
    expect(await ours.encode('👍')).toEqual([9468, 239, 235]);
  });

  test('the multilingual corpus equals js-tiktoken id for id', async () => {
    const ours = await cl100kTokenizer();
    const want = reference.encode(corpus);
    const got = await ours.encode(corpus);
    const i = firstDifference(want, got);
    const context = i === -1 ? '' : JSON.stringify(reference.decode(want.slice(Math.max(0, i - 3), i + 3)));
    expect(i, `first difference at id ${i}: expected ${want[i]}, got ${got[i]}, near the text ${context}`).toBe(-1);
    expect((await ours.decode(got)) === corpus, 'decode(encode(corpus)) must give the corpus back').toBe(true);
    // Long pre-tokens (more than 64 bytes) of varied letters and symbols, not only runs of one character.
    let seed = 7;
    const next = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const letters = 'abcdefghijklmnopqrstuvwxyzetaoinshrdlu';
    for (let k = 0; k < 120; k++) {
      let word = '';
      const len = 65 + Math.floor(next() * 300);
      for (let j = 0; j < len; j++) word += letters[Math.floor(next() * letters.length)];
      const text = k % 3 === 0 ? word : k % 3 === 1 ? ` ${word}` : word.replace(/[aeiou]/g, '!');
      const want = reference.encode(text);
      const got = await ours.encode(text);
      const i = firstDifference(want, got);
      expect(i, `a long pre-token of ${text.length} characters (${JSON.stringify(text.slice(0, 30))}…): first difference at id ${i}: expected ${want[i]}, got ${got[i]}`).toBe(-1);
    }
  });
});

describe('loadTiktokenRanks (hidden)', () => {
  test('a small rank file with blank lines and offsets encodes like js-tiktoken', async () => {
    const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
    const bytes = Array.from({ length: 256 }, (_, b) => b64(String.fromCharCode(b)));
    // Ids 1..256 are the bytes in a shuffled order (as in cl100k, a byte's id is not its value), id 0
    // and ids 257..309 are unused, then a few merged tokens from id 310; blank lines in between.
    const order = bytes.map((_, b) => (b * 37 + 11) % 256);
    const small = {
      pat_str: cl100k.pat_str,
      special_tokens: { '<|end|>': 400 },
      bpe_ranks: ['bytes 1 ' + order.slice(0, 128).map((b) => bytes[b]).join(' '), '', 'more 129 ' + order.slice(128).map((b) => bytes[b]).join(' '), '', 'merged 310 ' + ['th', 'he', 'the', ' the', 'in', 'ing', 'ab', 'abc'].map(b64).join(' '), ''].join('\n'),
    };
    const tok = await loadTiktokenRanks(small);
    const reference = new Tiktoken(small);
    for (const text of ['the thing', 'abcabc the abcing', 'hello <|end|>', '']) {
      expect(await tok.encode(text, { disallowedSpecial: [] }), `encode(${JSON.stringify(text)}) with the small rank file`).toEqual(reference.encode(text, [], []));
    }
    expect(await tok.encode('abc<|end|>', { allowedSpecial: 'all' })).toEqual(reference.encode('abc<|end|>', 'all'));
    expect(await tok.decode([313, 312, 400]), 'ids 310.. are the merged tokens of the third line').toBe(' thethe<|end|>');
    await expect(tok.decode([305]), 'ids 257..309 are not in the file: unknown').rejects.toThrow(/305/);
    await expect(tok.decode([0]), 'id 0 is not in the file (the bytes start at offset 1): unknown').rejects.toThrow(RangeError);
    await expect(tok.decode([1, 1000]), 'id 1000 is not in the file').rejects.toThrow(/1000/);
    await expect(tok.save(), 'save() on a tokenizer built by loadTiktokenRanks (no merges) throws').rejects.toThrow();
  });
});

describe('gpt2 (hidden)', () => {
  test('"0" * 16 gives [25645]', async () => {
    const tok = await loadTiktokenRanks(gpt2);
    expect(await tok.encode('0'.repeat(16))).toEqual([25645]);
  });
});

describe('special tokens (hidden)', () => {
  test('"hello <|endoftext|>" with all specials allowed gives [15339, 220, 100257]', async () => {
    const ours = await cl100kTokenizer();
    // A throw (the allowed special still counts as disallowed) and wrong ids have their own hints.
    const r = await settle(ours.encode('hello <|endoftext|>', { allowedSpecial: 'all' }));
    expect(r.ok, because('throws', `encode("hello <|endoftext|>", { allowedSpecial: 'all' }) threw ${r.ok ? '' : JSON.stringify(r.error)}, expected [15339, 220, 100257]`)).toBe(true);
    const got = r.ok ? r.value : [];
    expect(sameIds(got, [15339, 220, 100257]), because('ids', `encode("hello <|endoftext|>", { allowedSpecial: 'all' }) gave ${JSON.stringify(got)}, expected [15339, 220, 100257]`)).toBe(true);
  });

  test('allowedSpecial and disallowedSpecial lists behave like js-tiktoken', async () => {
    const ours = await cl100kTokenizer();
    const text = 'a<|fim_prefix|>b<|endoftext|>c<|endofprompt|>';
    // Each way of failing gets its own hint (hint_when in lab.yaml): no throw by default, no throw
    // for the specials left disallowed, a throw where js-tiktoken encodes, different ids.
    const byDefault = await settle(ours.encode(text));
    const named = /<\|fim_prefix\|>|<\|endoftext\|>|<\|endofprompt\|>/;
    expect(
      !byDefault.ok && named.test(byDefault.message),
      because('default', `encode(${JSON.stringify(text)}) with no options ${byDefault.ok ? `gave ${JSON.stringify(byDefault.value)}` : `threw ${JSON.stringify(byDefault.error)}`}, expected an error that names a special: by default every special is disallowed`),
    ).toBe(true);
    const oneAllowed = await settle(ours.encode(text, { allowedSpecial: ['<|fim_prefix|>'] }));
    const others = /<\|endoftext\|>|<\|endofprompt\|>/;
    expect(
      !oneAllowed.ok && others.test(oneAllowed.message),
      because('partial-allow', `encode(text, { allowedSpecial: ['<|fim_prefix|>'] }) ${oneAllowed.ok ? `gave ${JSON.stringify(oneAllowed.value)}` : `threw ${JSON.stringify(oneAllowed.error)}`}, expected an error that names <|endoftext|> or <|endofprompt|>: allowing one special still disallows the others`),
    ).toBe(true);
    const cases: [Parameters<typeof ours.encode>[1], Parameters<typeof reference.encode>][] = [
      [{ allowedSpecial: ['<|fim_prefix|>'], disallowedSpecial: [] }, [text, ['<|fim_prefix|>'], []]],
      [{ disallowedSpecial: [] }, [text, [], []]],
      [{ allowedSpecial: 'all' }, [text, 'all']],
      [{ allowedSpecial: ['<|endoftext|>', '<|endofprompt|>'], disallowedSpecial: ['<|fim_middle|>'] }, [text, ['<|endoftext|>', '<|endofprompt|>'], ['<|fim_middle|>']]],
    ];
    for (const [opts, args] of cases) {
      const want = reference.encode(...args);
      const r = await settle(ours.encode(text, opts));
      expect(r.ok, because('throws', `encode(text, ${JSON.stringify(opts)}) threw ${r.ok ? '' : JSON.stringify(r.error)}, expected ${JSON.stringify(want)} as js-tiktoken gives`)).toBe(true);
      const got = r.ok ? r.value : [];
      expect(sameIds(got, want), because('ids', `encode(text, ${JSON.stringify(opts)}) gave ${JSON.stringify(got)}, expected ${JSON.stringify(want)} as js-tiktoken gives`)).toBe(true);
    }
  });
});

describe('pathological (hidden)', () => {
  test('1,000,000 repeated characters encode fast and round-trip', async () => {
    const ours = await cl100kTokenizer();
    await ours.encode(`warm up ${'q'.repeat(500)}`);
    // Probe how the time grows with the run length before trying 1,000,000 characters: doubling the
    // run should about double the time. Two quadrupling steps in a row mean a quadratic merge loop.
    let last = 0;
    let suspicious = 0;
    for (let n = 1000; n <= 64_000; n *= 2) {
      const s = 'x'.repeat(n);
      let ms = Infinity;
      for (let rep = 0; rep < 3 && (rep === 0 || ms <= 100); rep++) {
        const t0 = performance.now();
        await ours.encode(s);
        ms = Math.min(ms, performance.now() - t0);
      }
      suspicious = last > 0 && ms > 50 && ms / last > 3 ? suspicious + 1 : 0;
      expect(
        suspicious < 2 && ms < 5000,
        `a run of ${n} equal characters took ${ms.toFixed(0)} ms (${(ms / last).toFixed(1)}x the time of half that run): ` +
          'the merge loop looks quadratic and would take far too long on 1,000,000 characters',
      ).toBe(true);
      last = Math.max(ms, 0.5);
    }
    const unit = reference.encode('a'.repeat(800)); // 100 copies of the 8-letter token
    expect(new Set(unit).size).toBe(1);
    const text = 'a'.repeat(1_000_000);
    const t0 = performance.now();
    const ids = await ours.encode(text);
    const ms = performance.now() - t0;
    expect(ms, `encoding 1,000,000 "a" took ${ms.toFixed(0)} ms (limit 20,000 ms)`).toBeLessThan(20_000);
    expect(ids.length, '1,000,000 "a" are 125,000 copies of the 8-letter token').toBe(125_000);
    expect(ids.every((id) => id === unit[0]), `every id must be ${unit[0]}, as js-tiktoken gives for shorter runs`).toBe(true);
    expect((await ours.decode(ids)) === text, 'decode must give the 1,000,000 characters back').toBe(true);
  });
});
