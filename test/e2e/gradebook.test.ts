// Issue #16.2: regrading some students never shrinks a class gradebook, and `ailab gradebook`
// rebuilds (or merges) the exports from saved results.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { gradebookRows } from '../helpers/results.ts';

const subs = join(ROOT, 'fixtures/submissions/lab-00');
const work = mkdtempSync(join(tmpdir(), 'ailab-gradebook-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A class folder holding the named students, each a copy of a fixture submission. */
function klass(name: string, members: Record<string, string>): string {
  const dir = join(work, name);
  for (const [student, fixture] of Object.entries(members)) cpSync(join(subs, fixture), join(dir, student), { recursive: true });
  return dir;
}

describe('regrading some students', () => {
  test('--only regrades just them and keeps the rest of the gradebook; a smaller folder keeps it too, and says so', async () => {
    const full = klass('class', { alice: 'pass', bob: 'fail/partial', carol: 'pass' });
    const out = join(work, 'grades');
    expect((await ailab(['grade', 'lab-00', full, '--out', out, '--jobs', '2'])).exitCode).toBe(0);
    expect(gradebookRows(out)).toEqual(['alice,pass,100', 'bob,fail,85', 'carol,pass,100']);

    // bob fixes his code; only he is graded again.
    cpSync(join(subs, 'pass'), join(full, 'bob'), { recursive: true });
    const only = await ailab(['grade', 'lab-00', full, '--out', out, '--only', 'bob']);
    expect(only.exitCode, only.stderr).toBe(0);
    expect(only.stderr).toContain('graded 1/1');
    expect(gradebookRows(out)).toEqual(['alice,pass,100', 'bob,pass,100', 'carol,pass,100']);
    expect(only.stdout).toContain('kept 2 earlier result(s)');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('carol');

    const typo = await ailab(['grade', 'lab-00', full, '--out', out, '--only', 'bobb']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('--only names student(s) with no submission here: bobb.');
    expect(typo.stderr).toContain('Did you mean "bob"?');

    // A folder holding one student (a late submission) adds to the gradebook, never replaces it.
    const late = klass('late', { dave: 'fail/partial' });
    const run = await ailab(['grade', 'lab-00', late, '--out', out]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(gradebookRows(out)).toEqual(['alice,pass,100', 'bob,pass,100', 'carol,pass,100', 'dave,fail,85']);
    expect(run.stdout).toContain('kept 3 earlier result(s) from');
    expect(run.stdout).toContain('alice, bob, carol');
  });
});

describe('ailab gradebook', () => {
  test('merges the output folders of a class graded on two machines, and refuses two different grades for one student', async () => {
    const a = join(work, 'host-a');
    const b = join(work, 'host-b');
    expect((await ailab(['grade', 'lab-00', klass('half-a', { erin: 'pass', frank: 'fail/partial' }), '--out', a, '--jobs', '2'])).exitCode).toBe(0);
    expect((await ailab(['grade', 'lab-00', klass('half-b', { gina: 'pass', frank: 'fail/partial' }), '--out', b, '--jobs', '2'])).exitCode).toBe(0);
    const merged = join(work, 'merged');
    const run = await ailab(['gradebook', a, b, '--out', merged]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(gradebookRows(merged)).toEqual(['erin,pass,100', 'frank,fail,85', 'gina,pass,100']);
    expect(run.stdout).toContain('from 3 result(s) in 2 folder(s)');
    // The merged folder is complete: it rebuilds on its own.
    expect((await ailab(['gradebook', merged])).exitCode).toBe(0);

    const c = join(work, 'host-c');
    expect((await ailab(['grade', 'lab-00', klass('half-c', { frank: 'pass' }), '--out', c])).exitCode).toBe(0);
    const conflict = await ailab(['gradebook', a, c, '--out', join(work, 'merged-2')]);
    expect(conflict.exitCode).toBe(2);
    expect(conflict.stderr).toContain('frank has two different grades: 85/100 in');
    expect(conflict.stderr).toContain('100/100 in');

    const usage = await ailab(['gradebook', a, b]);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toContain('needs --out DIR');
    const help = await ailab(['gradebook', '--help']);
    expect(help.stdout).toContain('Usage: ailab gradebook DIR [DIR...]');
  });
});

describe('LMS download layouts (fixtures/classes/lab-00-lms, made by its make.sh)', () => {
  const lms = join(ROOT, 'fixtures/classes/lab-00-lms');

  test("Moodle's folder per student, holding a zip whose files sit two folders down, maps to the roster by full name", async () => {
    const out = join(work, 'grades-moodle');
    const run = await ailab(['grade', 'lab-00', join(lms, 'moodle'), '--out', out, '--roster', join(ROOT, 'fixtures/rosters/moodle.csv')]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(gradebookRows(out)).toEqual(['grace@example.edu,pass,100', 'alan@example.edu,no-submission,0']);
    expect(run.stdout).not.toContain('not on the roster');
  });

  test("Canvas's <name>_<user id>_<submission id>_<file> names map to the roster's SIS Login ID; a .rar and a loose .ts are reported, not dropped", async () => {
    const out = join(work, 'grades-canvas-lms');
    const run = await ailab(['grade', 'lab-00', join(lms, 'canvas'), '--out', out, '--roster', join(ROOT, 'fixtures/rosters/canvas.csv')]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(gradebookRows(out)).toEqual(['leo,fail,85', 'ana.obrien,no-submission,0', 'jmuller,no-submission,0']);
    expect(run.stdout).toContain('skipped 2 entries of the submissions folder (also in grades.json):');
    expect(run.stdout).toContain('anaobrien_1235_67891_lab00.rar: a .rar archive: only .zip, .tar.gz and .tgz are read');
    expect(run.stdout).toContain('similarity.ts: a loose source file: put it in a folder');
    const json = JSON.parse(readFileSync(join(out, 'grades.json'), 'utf8'));
    expect(json.skipped.map((s: { name: string }) => s.name)).toEqual(['anaobrien_1235_67891_lab00.rar', 'similarity.ts']);
  });
});
