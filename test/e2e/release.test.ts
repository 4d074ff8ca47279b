import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { globSync } from 'tinyglobby';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { writeMutantSubmission } from '../helpers/course.ts';

let out = '';
let files: string[] = [];

beforeAll(async () => {
  out = join(mkdtempSync(join(tmpdir(), 'ailab-release-')), 'student');
  const run = await ailab(['release', '--out', out]);
  expect(run.exitCode, run.stderr).toBe(0);
  files = globSync(['**/*'], { cwd: out, dot: true, onlyFiles: true });
});
afterAll(() => rmSync(join(out, '..'), { recursive: true, force: true }));

describe('ailab release', () => {
  test('no hidden check, solution or mutant file leaks', () => {
    expect(files.filter((f) => /^labs\/[^/]+\/(checks|solution|mutants)\//.test(f))).toEqual([]);
    const contents = new Set(files.map((f) => readFileSync(join(out, f), 'utf8')));
    // A hidden file copied under another name leaks too. Given helpers that a lab ships identically
    // in src/ and solution/src/ (the starter has them anyway) are not secrets.
    const secret = globSync(['labs/*/checks/**', 'labs/*/solution/**', 'labs/*/mutants/**'], { cwd: ROOT, onlyFiles: true }).filter((f) => {
      const starter = f.replace(/\/solution\//, '/');
      return !(f.includes('/solution/') && existsSync(join(ROOT, starter)) && readFileSync(join(ROOT, starter), 'utf8') === readFileSync(join(ROOT, f), 'utf8'));
    });
    const leaked = secret.filter((f) => contents.has(readFileSync(join(ROOT, f), 'utf8')));
    expect(leaked).toEqual([]);
  });

  test('only the fixtures public tests need are included', () => {
    const fixtures = files.filter((f) => f.startsWith('fixtures/'));
    expect(fixtures.sort()).toEqual(['fixtures/drift/current_small.json', 'fixtures/drift/reference_small.json']);
    expect(files).not.toContain('fixtures/drift/expected.json');
    expect(files.some((f) => f.startsWith('fixtures/submissions/'))).toBe(false);
  });

  test('check works in the copy and says hidden checks run at grading', async () => {
    symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
    // The copy's own bin, so the copy is the course root.
    const run = await execa(process.execPath, [join(out, 'runner/bin/ailab.mjs'), 'check', 'lab-00'], { cwd: out, env: { NO_COLOR: '1', CI: 'true' }, reject: false });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('Hidden checks: 8 (70 points) run when your work is graded.');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('Score: 0/30 (0%)');
    expect(existsSync(join(out, 'labs/lab-00-warmup/checks'))).toBe(false);
  });

  test('no hidden check keeps its test name, its hints or its docs link: only id, points and visibility', () => {
    const manifests = globSync(['labs/*/lab.yaml'], { cwd: ROOT });
    expect(manifests.length).toBe(5);
    const copied = files.filter((f) => !f.endsWith('/lab.yaml')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    for (const file of manifests) {
      const released = readFileSync(join(out, file), 'utf8');
      const hidden = (parse(readFileSync(join(ROOT, file), 'utf8')) as { tasks: { checks: { id: string; test: string; hint: string | string[]; hint_when?: Record<string, string>; points: number; visibility: string }[] }[] }).tasks
        .flatMap((t) => t.checks)
        .filter((c) => c.visibility === 'hidden');
      const student = (parse(released) as { tasks: { checks: Record<string, unknown>[] }[] }).tasks.flatMap((t) => t.checks).filter((c) => c.visibility === 'hidden');
      expect(student.map((c) => c.id)).toEqual(hidden.map((c) => c.id));
      expect(student.map((c) => c.points)).toEqual(hidden.map((c) => c.points));
      // Nothing but the neutral title and hint beside id, points and visibility: no docs link, no hint_when.
      for (const c of student) expect(Object.keys(c).sort(), `${file}: ${String(c.id)}`).toEqual(['hint', 'id', 'points', 'test', 'visibility']);
      for (const check of hidden) {
        const title = check.test.split(' > ').at(-1)!;
        // Neither the released manifest nor any other released file holds a hidden title or hint.
        expect(released, `${file}: ${check.id}'s title`).not.toContain(title);
        expect(copied.includes(title), `${check.id}'s title "${title}" in another released file`).toBe(false);
        for (const rung of [check.hint, ...Object.values(check.hint_when ?? {})].flat()) {
          expect(released, `${file}: a hint of ${check.id}`).not.toContain(rung);
          expect(copied.includes(rung), `a hint of ${check.id} in another released file`).toBe(false);
        }
      }
    }
  });

  test('the copy has a student README, and grade, verify and export refuse to run there', async () => {
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('## What grading adds');
    expect(readme).not.toContain('## Grading a class');
    for (const command of [['grade', 'lab-00', join(out, 'labs'), '--out', join(out, '..', 'g')], ['verify', 'lab-00'], ['export', 'gradescope', 'lab-00', '--out', join(out, '..', 'a.zip')]]) {
      const run = await execa(process.execPath, [join(out, 'runner/bin/ailab.mjs'), ...command], { cwd: out, env: { NO_COLOR: '1', CI: 'true' }, reject: false });
      expect(run.exitCode, run.stderr).toBe(2);
      expect(run.stderr).toContain(`\`${command[0]}\` needs the instructor's course, and this is a student copy`);
    }
  });

  test("hint gives a hidden check's hint only from graded results, and then the one the grade carries", async () => {
    if (!existsSync(join(out, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
    const hint = (args: string[]) => execa(process.execPath, [join(out, 'runner/bin/ailab.mjs'), 'hint', 'lab-04', ...args], { cwd: out, env: { NO_COLOR: '1', CI: 'true' }, reject: false });
    const before = await hint(['ks-asymp']);
    expect(before.exitCode, before.stderr).toBe(0);
    expect(before.stdout).toContain('--graded FILE');
    expect(before.stdout).not.toMatch(/hint 1\//);
    // Graded results, as the instructor's course gives them: the solution with the asymptotic p-value bug.
    const work = mkdtempSync(join(tmpdir(), 'ailab-graded-'));
    const lab = join(ROOT, 'labs/lab-04-drift-detector');
    writeMutantSubmission(lab, 'ks-asymp-wrong-n', join(work, 'sub'));
    const graded = await ailab(['check', 'lab-04', '--submission', join(work, 'sub'), '--sandbox', 'local', '--json']);
    writeFileSync(join(work, 'alice.json'), graded.stdout);
    const wanted = (JSON.parse(graded.stdout) as { checks: { id: string; status: string; hint?: string }[] }).checks.filter((c) => c.status !== 'pass');
    expect(wanted.map((c) => c.id)).toEqual(['ks-straddle', 'ks-asymp', 'ks-large']);
    const first = await hint(['--graded', join(work, 'alice.json')]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain('ks-straddle');
    expect(first.stdout).toContain('(the first check that did not pass when graded)');
    expect(first.stdout).toContain(`hint 1/1: ${wanted[0].hint}`);
    expect(existsSync(join(out, '.ailab/graded/lab-04.json'))).toBe(true);
    // Kept: a later call needs no flag, and gets the cause's hint (D right, p off).
    const later = await hint(['ks-asymp']);
    expect(later.stdout).toContain(`hint 1/1: ${wanted[1].hint}`);
    expect(later.stdout).toContain('D is right here, so the asymptotic p is off');
    const passed = await hint(['ks-ties']);
    expect(passed.stdout).toContain('It passed when your work was graded');
    // Another lab's results are refused with the command to use.
    const wrong = await execa(process.execPath, [join(out, 'runner/bin/ailab.mjs'), 'hint', 'lab-00', '--graded', join(work, 'alice.json')], { cwd: out, env: { NO_COLOR: '1', CI: 'true' }, reject: false });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('holds results for lab-04, not lab-00');
    rmSync(work, { recursive: true, force: true });
  });

  test('refuses a folder that is not empty', async () => {
    const run = await ailab(['release', '--out', out]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('is not empty');
  });
});
