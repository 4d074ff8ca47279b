import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { compareClass, DEFAULT_THRESHOLD, type Entrant } from '../../../runner/similarity/compare.ts';
import { tokenize } from '../../../runner/similarity/tokens.ts';
import { winnow } from '../../../runner/similarity/winnow.ts';
import { hashFiles } from '../../../runner/submission/collect.ts';
import { precisionRecall, scoreTestSet } from '../../helpers/similarity-set.ts';
import { disguise } from '../../helpers/variants.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const solution = readFileSync(join(ROOT, 'labs/lab-00-warmup/solution/src/similarity.ts'), 'utf8');
const starter = readFileSync(join(ROOT, 'labs/lab-00-warmup/src/similarity.ts'), 'utf8');
const independent = readFileSync(join(ROOT, 'fixtures/similarity/lab-00/independent/src/similarity.ts'), 'utf8');

const one = (name: string, text: string): Entrant => ({ name, sha256: hashFiles(new Map([['src/similarity.ts', Buffer.from(text)]])), files: new Map([['src/similarity.ts', text]]) });
const kinds = (text: string) => tokenize(text).map((t) => t.kind);

describe('tokens', () => {
  test('names, literals, comments and layout do not change the token stream', () => {
    const a = 'const total = items.reduce((s, x) => s + x.n, 0); // sum\nif (total > 10) throw new Error("big");';
    const b = '/* renamed */\nconst   sum=things.reduce( ( acc , it ) => acc + it.count , 1 ) ;\n\n\nif (sum > 99)\n  throw new Error(`huge`);';
    expect(kinds(a)).toEqual(kinds(b));
    expect(kinds(a)).not.toEqual(kinds('let total = items.reduce((s, x) => s - x.n, 0);'));
  });

  test('a template is read through its ${} parts, and a regular expression is one literal', () => {
    const t = tokenize('const s = `a ${b + {c: 1}.c} d ${e}`;\nconst r = /x\\/y/g.test(s) / 2;');
    expect(t.filter((x) => x.line === 1).length).toBe(17);
    expect(t.filter((x) => x.line === 2).length).toBe(12);
  });

  test('every token carries the line it starts on', () => {
    expect(tokenize('a\n\nb(\n1)').map((t) => t.line)).toEqual([1, 3, 3, 4, 4]);
  });
});

describe('winnowing', () => {
  test('a shared run of k + w - 1 tokens always gives a shared fingerprint', () => {
    const run = 'x = y + z * (w - v) / u; q(r, s);';
    const a = winnow('a', tokenize(`if (p) { ${run} }`));
    const b = winnow('b', tokenize(`while (m < n) { m++; ${run} return m; }`));
    expect(tokenize(run).length).toBeGreaterThanOrEqual(19);
    const hashes = new Set(a.map((f) => f.hash));
    expect(b.some((f) => hashes.has(f.hash))).toBe(true);
  });

  test('a file shorter than a k-gram has no fingerprint', () => {
    expect(winnow('a', tokenize('a = 1;'))).toEqual([]);
  });
});

describe('compareClass', () => {
  const starterFiles = new Map([['src/similarity.ts', starter]]);

  test('identical submissions pair up as identical; a disguised copy as near, with its regions; independent work does not', () => {
    const result = compareClass([one('ann', solution), one('ben', solution), one('eve', disguise(solution)), one('fay', independent), one('@starter', starter)], starterFiles);
    const found = result.pairs.map((p) => `${p.a}~${p.b}:${p.kind}`).sort();
    expect(found).toEqual(['ann~ben:identical', 'ann~eve:near', 'ben~eve:near']);
    const near = result.pairs.find((p) => p.kind === 'near')!;
    expect(near.score).toBeGreaterThanOrEqual(DEFAULT_THRESHOLD);
    expect(near.regions.length).toBeGreaterThan(0);
    // The regions point into the bodies both wrote (cosine's loop is in lines 20–29 of the solution).
    expect(near.regions.some((r) => r.a.from <= 26 && r.a.to >= 24 && r.a.file === 'src/similarity.ts')).toBe(true);
    for (const r of near.regions) expect(r.b.to).toBeGreaterThanOrEqual(r.b.from);
  });

  test("the starter's own code is left out: two learners who each changed a line of it are no lead", () => {
    const a = starter.replace("throw new Error('TODO: implement cosine(a, b)');", 'return 0;');
    const b = starter.replace("throw new Error('TODO: implement topK(items, query, k)');", 'return [];');
    const result = compareClass([one('ann', a), one('ben', b)], starterFiles, 0);
    expect(result.pairs).toEqual([]);
    expect(result.tooShort).toEqual(['ann', 'ben']);
  });

  test('the threshold decides which near pairs are listed', () => {
    const entrants = [one('ann', solution), one('fay', independent)];
    expect(compareClass(entrants, starterFiles, 1).pairs).toEqual([]);
    const all = compareClass(entrants, starterFiles, 0).pairs;
    expect(all.length).toBeLessThanOrEqual(1);
    expect(all[0]?.score ?? 0).toBeLessThan(DEFAULT_THRESHOLD);
  });
});

describe('the test set (README, "Similarity leads")', () => {
  const pairs = scoreTestSet(ROOT);

  test('every planted copy is found and no independent pair is, at the default threshold', () => {
    const planted = pairs.filter((p) => p.planted);
    const independent = pairs.filter((p) => !p.planted);
    expect(planted.length).toBeGreaterThan(1000);
    // lab-00 and lab-04 each have a second implementation written apart.
    expect(new Set(independent.map((p) => p.lab))).toEqual(new Set(['lab-00', 'lab-04']));
    const missed = planted.filter((p) => p.score < DEFAULT_THRESHOLD).map((p) => `${p.lab} ${p.a} ~ ${p.b}: ${p.score}`);
    const flagged = independent.filter((p) => p.score >= DEFAULT_THRESHOLD).map((p) => `${p.lab} ${p.a} ~ ${p.b}: ${p.score}`);
    expect({ missed, flagged }).toEqual({ missed: [], flagged: [] });
    expect(precisionRecall(pairs, DEFAULT_THRESHOLD)).toMatchObject({ precision: 1, recall: 1 });
  });
});
