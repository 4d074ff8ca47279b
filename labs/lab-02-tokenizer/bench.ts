/**
 * lab-02 bench: `npx tsx labs/lab-02-tokenizer/bench.ts`
 *  1. encode throughput (MB/s) of the reference solution vs js-tiktoken, cl100k_base, same 1.1 MB text;
 *  2. training time for vocab 1024 on a 1 MB corpus: incremental pair counts (the solution) vs a
 *     naive recount of every pair before every merge (written here, same data layout otherwise).
 */
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import { makeCorpus } from '../../fixtures/tokenizer/make-corpus.ts';
import { splitText } from './solution/src/pretokenize.ts';
import { loadTiktokenRanks } from './solution/src/ranks.ts';
import { trainBPE } from './solution/src/train.ts';

const ID_BITS = 2 ** 21;

/** Naive trainer: recount every pair over every distinct chunk before each merge. */
function trainNaive(text: string, vocabSize: number): [number, number][] {
  const counts = new Map<string, number>();
  for (const c of splitText(text)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const enc = new TextEncoder();
  const words = [...counts.keys()].map((c) => Array.from(enc.encode(c)));
  const weights = [...counts.values()];
  const merges: [number, number][] = [];
  while (256 + merges.length < vocabSize) {
    const pairs = new Map<number, number>();
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      for (let i = 0; i + 1 < word.length; i++) {
        const k = word[i]! * ID_BITS + word[i + 1]!;
        pairs.set(k, (pairs.get(k) ?? 0) + weights[w]!);
      }
    }
    let bestKey = -1;
    let bestCount = 0;
    for (const [k, c] of pairs) if (c > bestCount || (c === bestCount && k < bestKey)) [bestKey, bestCount] = [k, c];
    if (bestKey < 0) break;
    const a = Math.floor(bestKey / ID_BITS);
    const b = bestKey - a * ID_BITS;
    const id = 256 + merges.length;
    merges.push([a, b]);
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!;
      const out: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(word[i]!);
      }
      words[w] = out;
    }
  }
  return merges;
}

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, (performance.now() - t0) / 1000];
}

const mb = (s: string): number => Buffer.byteLength(s, 'utf8') / 1e6;
const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;

const encodeText = makeCorpus(7, 1_100_000);
const trainText = makeCorpus(11, 1_000_000);
console.log(`encode text: ${mb(encodeText).toFixed(2)} MB; training text: ${mb(trainText).toFixed(2)} MB; node ${process.version}\n`);

const [reference, tRefLoad] = time(() => new Tiktoken(cl100k));
const [ours, tOursLoad] = time(() => loadTiktokenRanks(cl100k));
const [refIds, tRef] = time(() => reference.encode(encodeText));
const [ourIds, tOurs] = time(() => ours.encode(encodeText));
const same = refIds.length === ourIds.length && refIds.every((id, i) => id === ourIds[i]);
const [, tOursWarm] = time(() => ours.encode(encodeText));
console.log('### Encode, cl100k_base');
console.log(row(['encoder', 'load ranks (s)', 'encode (s)', 'MB/s', 'vs js-tiktoken']));
console.log(row(['---', '---', '---', '---', '---']));
console.log(row(['js-tiktoken 1.0.21', tRefLoad.toFixed(2), tRef.toFixed(2), (mb(encodeText) / tRef).toFixed(2), '1.00x']));
console.log(row(['reference solution, first pass', tOursLoad.toFixed(2), tOurs.toFixed(2), (mb(encodeText) / tOurs).toFixed(2), `${(tRef / tOurs).toFixed(2)}x`]));
console.log(row(['reference solution, second pass (warm chunk cache)', '', tOursWarm.toFixed(2), (mb(encodeText) / tOursWarm).toFixed(2), `${(tRef / tOursWarm).toFixed(2)}x`]));
// js-tiktoken's merge loop is quadratic in the piece length, so long runs of one character cost it
// most of its time: measure again with every run of more than 16 equal characters cut to 16.
const noRuns = encodeText.replace(/(.)\1{16,}/gsu, (_m, c: string) => c.repeat(16));
const [, tRefNoRuns] = time(() => reference.encode(noRuns));
const [, tOursNoRuns] = time(() => loadTiktokenRanks(cl100k).encode(noRuns));
console.log(row([`js-tiktoken, runs cut to 16 chars (${mb(noRuns).toFixed(2)} MB)`, '', tRefNoRuns.toFixed(2), (mb(noRuns) / tRefNoRuns).toFixed(2), '1.00x']));
console.log(row(['reference solution, runs cut, first pass', '', tOursNoRuns.toFixed(2), (mb(noRuns) / tOursNoRuns).toFixed(2), `${(tRefNoRuns / tOursNoRuns).toFixed(2)}x`]));
console.log(`\nids identical to js-tiktoken: ${same} (${ourIds.length} tokens)\n`);

const [tok, tInc] = time(() => trainBPE(trainText, 1024));
const slice = trainText.slice(0, 250_000);
const [incSlice, tIncSlice] = time(() => trainBPE(slice, 1024));
const [naiveSlice, tNaiveSlice] = time(() => trainNaive(slice, 1024));
const agree = JSON.stringify(naiveSlice) === JSON.stringify(incSlice.merges);
const [naiveFull, tNaiveFull] = time(() => trainNaive(trainText, 1024));
const agreeFull = JSON.stringify(naiveFull) === JSON.stringify(tok.merges);
console.log('### Training, vocab 1024 (768 merges)');
console.log(row(['corpus', 'incremental (s)', 'naive recount (s)', 'speed-up', 'same merges']));
console.log(row(['---', '---', '---', '---', '---']));
console.log(row([`${mb(slice).toFixed(2)} MB slice`, tIncSlice.toFixed(2), tNaiveSlice.toFixed(2), `${(tNaiveSlice / tIncSlice).toFixed(1)}x`, String(agree)]));
console.log(row([`${mb(trainText).toFixed(2)} MB`, tInc.toFixed(2), tNaiveFull.toFixed(2), `${(tNaiveFull / tInc).toFixed(1)}x`, String(agreeFull)]));
