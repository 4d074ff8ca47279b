import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadLab } from '../../../runner/lab/load.ts';
import { TypeChecker } from '../../../runner/results/types.ts';
import { collectSubmission } from '../../../runner/submission/collect.ts';
import { ROOT } from '../../helpers/cli.ts';

// solution/ holds only the files a learner edits: given files (lab-01's errors.ts, lab-04's
// special.ts) live once, in src/. So a solution type-checks only laid over the starter, as the
// runner stages it, and that is how it is checked here (the root tsconfig leaves solution/ out).
const labs = readdirSync(join(ROOT, 'labs')).filter((n) => /^lab-\d\d-/.test(n)).sort();
const checker = new TypeChecker(ROOT);
afterAll(() => checker.close());

test.each(labs)('%s: solution/ holds only editable files, and type-checks laid over the starter', async (name) => {
  const lab = loadLab(join(ROOT, 'labs', name), ROOT);
  const solution = collectSubmission(lab, join(lab.dir, 'solution'), 'solution');
  expect(solution.problems).toEqual([]);
  const all = readdirSync(join(lab.dir, 'solution'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(join(lab.dir, 'solution').length + 1).split('\\').join('/'));
  expect(all.sort(), 'files in solution/ that no learner edits').toEqual([...solution.files.keys()].sort());
  const files = Object.fromEntries([...solution.files].map(([rel, b]) => [rel, b.toString('utf8')]));
  const found = await checker.check({ root: ROOT, labDir: lab.dir, files, max: 20 }, 60_000);
  expect(found?.map((e) => `${e.file}:${e.line}: ${e.message}`)).toEqual([]);
}, 90_000);
