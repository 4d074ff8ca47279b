import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { makeClass } from '../../fixtures/classes/make-class.ts';
import { ailab } from '../helpers/cli.ts';
import { gradebookRows } from '../helpers/results.ts';

const work = mkdtempSync(join(tmpdir(), 'ailab-class-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Classes built from each lab's solution, starter, mutants and fixture submissions, packaged as
// folders, repo copies and .tar.gz archives; every expected score is derived from the manifests.
test.each([
  ['lab-00', 40],
  ['lab-04', 20],
])('grading a generated %s class of %i gives exactly the expected gradebook', async (lab, count) => {
  const klass = join(work, `${lab}-class`);
  const out = join(work, `${lab}-grades`);
  const expected = await makeClass(lab, klass, count);
  const run = await ailab(['grade', lab, klass, '--out', out, '--jobs', '2']);
  expect(run.exitCode, run.stderr).toBe(0);
  const rows = gradebookRows(out);
  expect(rows).toEqual(expected.map((m) => `${m.student},${m.status},${m.score}`));
});
