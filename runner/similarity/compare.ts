import { tokenize } from './tokens.ts';
import { type Fingerprint, winnow, WINNOW, type WinnowOptions } from './winnow.ts';

/** One submission to compare: a name (a student id, or @solution / @starter), its hash and its editable files as text. */
export interface Entrant {
  name: string;
  sha256: string;
  files: Map<string, string>;
}

/** Lines [from, to] of one file, 1-based and inclusive. */
export interface Span {
  file: string;
  from: number;
  to: number;
}

/** A stretch of code two submissions share: where it is in each. */
export interface Region {
  a: Span;
  b: Span;
}

/** Two submissions that look alike, with how much (0 to 1) and where. */
export interface Pair {
  a: string;
  b: string;
  score: number;
  kind: 'identical' | 'near';
  regions: Region[];
}

/** similarity.json: the pairs at or above the threshold, most alike first. */
export interface Similarity {
  threshold: number;
  /** How the near-duplicate score is made, for whoever reads the file. */
  method: string;
  /** Submissions with no code of their own past the starter's, which can't be compared (no fingerprints). */
  tooShort: string[];
  pairs: Pair[];
}

/** The default threshold, chosen on the test set (README, "Similarity leads"). */
export const DEFAULT_THRESHOLD = 0.5;

/** Fewest fingerprints a submission needs, past the starter's, to be compared at all. */
const MIN_FINGERPRINTS = 8;

/** A submission's fingerprints over all its files, without those the starter has (MOSS's base file). */
function fingerprintsOf(entrant: Entrant, base: Set<number>, opts: WinnowOptions): Fingerprint[] {
  const out: Fingerprint[] = [];
  for (const [file, text] of [...entrant.files].sort(([x], [y]) => (x < y ? -1 : 1))) {
    for (const f of winnow(file, tokenize(text), opts)) if (!base.has(f.hash)) out.push(f);
  }
  return out;
}

/** Shared fingerprints, ordered through a, gathered into regions: a run that stays in one file of each and moves forward in both. */
function regionsOf(matches: [Fingerprint, Fingerprint][], gap: number): Region[] {
  const sorted = [...matches].sort(([x], [y]) => (x.file === y.file ? x.at - y.at : x.file < y.file ? -1 : 1));
  const regions: { a: Span; b: Span; lastA: Fingerprint; lastB: Fingerprint }[] = [];
  for (const [fa, fb] of sorted) {
    const open = regions.at(-1);
    if (open && open.lastA.file === fa.file && open.lastB.file === fb.file && fa.at - open.lastA.at <= gap && fb.at > open.lastB.at && fb.at - open.lastB.at <= gap) {
      open.a.to = Math.max(open.a.to, fa.to);
      open.b.to = Math.max(open.b.to, fb.to);
      open.lastA = fa;
      open.lastB = fb;
    } else regions.push({ a: { file: fa.file, from: fa.from, to: fa.to }, b: { file: fb.file, from: fb.from, to: fb.to }, lastA: fa, lastB: fb });
  }
  // Runs that overlap or touch in both files are one stretch of shared code.
  const merged: Region[] = [];
  for (const { a, b } of regions) {
    const last = merged.at(-1);
    const touches = (x: Span, y: Span) => x.file === y.file && y.from <= x.to + 1 && y.to >= x.from - 1;
    if (last && touches(last.a, a) && touches(last.b, b)) {
      last.a = { file: a.file, from: Math.min(last.a.from, a.from), to: Math.max(last.a.to, a.to) };
      last.b = { file: b.file, from: Math.min(last.b.from, b.from), to: Math.max(last.b.to, b.to) };
    } else merged.push({ a: { ...a }, b: { ...b } });
  }
  return merged;
}

/**
 * Compares every pair of a class (and each student with @solution and @starter, given as entrants):
 * identical hashes first, then MOSS-style winnowing over the token stream, leaving out the
 * starter's own code. The score of a near pair is the share of the smaller submission's
 * fingerprints the other one has too. A lead for a person to check, never a verdict.
 */
export function compareClass(entrants: Entrant[], starter: Map<string, string>, threshold = DEFAULT_THRESHOLD, opts: WinnowOptions = WINNOW): Similarity {
  const base = new Set<number>();
  for (const [file, text] of starter) for (const f of winnow(file, tokenize(text), opts)) base.add(f.hash);
  const pairs: Pair[] = [];
  const identical = new Set<string>();
  const key = (a: string, b: string) => `${a}\0${b}`;
  for (let i = 0; i < entrants.length; i++) {
    for (let j = i + 1; j < entrants.length; j++) {
      if (entrants[i].sha256 !== entrants[j].sha256) continue;
      pairs.push({ a: entrants[i].name, b: entrants[j].name, score: 1, kind: 'identical', regions: [] });
      identical.add(key(entrants[i].name, entrants[j].name));
    }
  }
  const prints = entrants.map((e) => fingerprintsOf(e, base, opts));
  const distinct = prints.map((fs) => new Set(fs.map((f) => f.hash)));
  // hash → the entrants holding it, so only pairs that share something are counted.
  const holders = new Map<number, number[]>();
  distinct.forEach((set, i) => {
    for (const h of set) {
      const list = holders.get(h);
      if (list) list.push(i);
      else holders.set(h, [i]);
    }
  });
  // Shared fingerprints per pair i < j, keyed i * n + j.
  const n = entrants.length;
  const shared = new Map<number, number>();
  for (const list of holders.values()) {
    for (let x = 0; x < list.length; x++) for (let y = x + 1; y < list.length; y++) shared.set(list[x] * n + list[y], (shared.get(list[x] * n + list[y]) ?? 0) + 1);
  }
  for (const [ij, count] of shared) {
    const [i, j] = [Math.floor(ij / n), ij % n];
    const smaller = Math.min(distinct[i].size, distinct[j].size);
    if (smaller < MIN_FINGERPRINTS || identical.has(key(entrants[i].name, entrants[j].name))) continue;
    const score = Math.round((count / smaller) * 1000) / 1000;
    if (score < threshold) continue;
    const inB = new Map<number, Fingerprint>();
    for (const f of prints[j]) if (!inB.has(f.hash)) inB.set(f.hash, f);
    const matches = prints[i].filter((f) => inB.has(f.hash)).map((f): [Fingerprint, Fingerprint] => [f, inB.get(f.hash)!]);
    pairs.push({ a: entrants[i].name, b: entrants[j].name, score, kind: 'near', regions: regionsOf(matches, 2 * opts.w + opts.k) });
  }
  pairs.sort((x, y) => y.score - x.score || (x.kind === y.kind ? 0 : x.kind === 'identical' ? -1 : 1) || (x.a + x.b < y.a + y.b ? -1 : 1));
  const tooShort = entrants.filter((e, i) => distinct[i].size < MIN_FINGERPRINTS && !e.name.startsWith('@')).map((e) => e.name);
  return {
    threshold,
    method: `identical: the same submission hash; near: winnowing (k = ${opts.k} tokens, window ${opts.w}) over TypeScript's token stream with names and literals normalised and the starter's code left out; score = shared fingerprints / the smaller submission's fingerprints`,
    tooShort,
    pairs,
  };
}
