import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab, loadMutants, mutantFiles } from '../../runner/lab/load.ts';
import { listLabDirs } from '../../runner/lab/resolve.ts';
import { compareClass, type Entrant } from '../../runner/similarity/compare.ts';
import { collectSubmission, hashFiles } from '../../runner/submission/collect.ts';
import { addComments, disguise, reformat, renameLocals, reorderTopLevel } from './variants.ts';

// The similarity test set, built from the labs themselves: for each lab, a family of the official
// solution (the solution, each disguise of it, its patch mutants and each mutant disguised) and,
// where fixtures/similarity/<lab>/independent/ holds a second correct implementation written
// apart, a family of that one. Two members of one family are a planted copy (a positive); a
// member of one family and one of another are independent work (a negative).

/** One scored pair of the test set. */
export interface ScoredPair {
  lab: string;
  a: string;
  b: string;
  planted: boolean;
  score: number;
}

const DISGUISES = { renamed: renameLocals, reordered: reorderTopLevel, commented: addComments, reformatted: reformat, disguised: disguise };

const asText = (files: Map<string, Buffer>) => new Map([...files].map(([k, v]) => [k, v.toString('utf8')]));
const each = (files: Map<string, string>, f: (text: string) => string) => new Map([...files].map(([k, v]) => [k, f(v)]));
const entrant = (name: string, files: Map<string, string>): Entrant => ({ name, sha256: hashFiles(new Map([...files].map(([k, v]) => [k, Buffer.from(v)]))), files });

/** Every pair of the test set, scored with compareClass (threshold 0, so every shared fingerprint counts). */
export function scoreTestSet(root: string): ScoredPair[] {
  const out: ScoredPair[] = [];
  for (const name of listLabDirs(root)) {
    const lab = loadLab(join(root, 'labs', name), root);
    const solution = collectSubmission(lab, join(lab.dir, 'solution'));
    const starter = asText(collectSubmission(lab, lab.dir).files);
    const family = new Map<string, string>();
    const entrants: Entrant[] = [];
    const add = (fam: string, id: string, files: Map<string, string>) => {
      family.set(id, fam);
      entrants.push(entrant(id, files));
    };
    const official = asText(solution.files);
    add('official', 'solution', official);
    for (const [d, f] of Object.entries(DISGUISES)) add('official', `solution ${d}`, each(official, f));
    for (const m of loadMutants(lab, root)) {
      const files = asText(mutantFiles(m, solution.files, root));
      add('official', `mutant ${m.name}`, files);
      add('official', `mutant ${m.name} disguised`, each(files, disguise));
    }
    const second = join(root, 'fixtures/similarity', lab.manifest.id, 'independent');
    if (existsSync(second)) {
      const files = asText(collectSubmission(lab, second).files);
      add('independent', 'independent', files);
      for (const [d, f] of Object.entries(DISGUISES)) add('independent', `independent ${d}`, each(files, f));
    }
    const scored = compareClass(entrants, starter, 0);
    const score = new Map(scored.pairs.map((p) => [`${p.a}\0${p.b}`, p.score]));
    for (let i = 0; i < entrants.length; i++) {
      for (let j = i + 1; j < entrants.length; j++) {
        const [a, b] = [entrants[i].name, entrants[j].name];
        out.push({ lab: lab.manifest.id, a, b, planted: family.get(a) === family.get(b), score: score.get(`${a}\0${b}`) ?? score.get(`${b}\0${a}`) ?? 0 });
      }
    }
  }
  return out;
}

/** Precision and recall of "score at or above threshold" against the planted pairs. */
export function precisionRecall(pairs: ScoredPair[], threshold: number): { precision: number; recall: number; tp: number; fp: number; fn: number } {
  const tp = pairs.filter((p) => p.planted && p.score >= threshold).length;
  const fp = pairs.filter((p) => !p.planted && p.score >= threshold).length;
  const fn = pairs.filter((p) => p.planted && p.score < threshold).length;
  return { precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn), tp, fp, fn };
}
