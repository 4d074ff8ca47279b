import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ResultsSchema } from '../../runner/results/schema.ts';
import { ailab, ROOT } from '../helpers/cli.ts';
import { containersUnder } from '../helpers/hostile.ts';
import { gradebookRows } from '../helpers/results.ts';

const subs = join(ROOT, 'fixtures/submissions/lab-00');
let work = '';
let klass = '';

/** The expected gradebook: student, status, score (archives and folders mixed, hostile ones included). */
const EXPECTED = [
  'alice,pass,100',
  'bob,fail,85',
  'carol,error,0',
  'dave,error,0',
  'erin,pass,100',
  'frank,fail,85',
  'mallory-zipslip,error,0',
  'oscar-symlink,error,0',
  'trent-absolute,error,0',
];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ailab-grade-'));
  klass = join(work, 'class');
  cpSync(join(subs, 'pass'), join(klass, 'alice'), { recursive: true });
  cpSync(join(subs, 'fail/partial'), join(klass, 'bob'), { recursive: true });
  cpSync(join(subs, 'error/syntax'), join(klass, 'carol'), { recursive: true });
  cpSync(join(subs, 'hostile/exit-early'), join(klass, 'dave'), { recursive: true });
  for (const f of readdirSync(join(ROOT, 'fixtures/classes/lab-00'))) {
    if (/\.(zip|tar\.gz)$/.test(f)) cpSync(join(ROOT, 'fixtures/classes/lab-00', f), join(klass, f));
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const table = gradebookRows;

describe('ailab grade', () => {
  test('--resume grades a saved result again when a limit changed (--timeout), and says why', async () => {
    const one = join(work, 'one-student');
    cpSync(join(subs, 'pass'), join(one, 'alice'), { recursive: true });
    const out = join(work, 'grades-timeout');
    const short = await ailab(['grade', 'lab-00', one, '--out', out, '--timeout', '30']);
    expect(short.exitCode, short.stderr).toBe(0);
    const same = await ailab(['grade', 'lab-00', one, '--out', out, '--timeout', '30', '--resume']);
    expect(same.stdout).toContain('1 result(s) reused with --resume.');
    const back = await ailab(['grade', 'lab-00', one, '--out', out, '--resume']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(back.stdout).toContain('--resume graded 1 saved result(s) again: the limits changed (timeout_s 30 → 60).');
    expect(back.stdout).not.toContain('reused with --resume');
    const saved = ResultsSchema.parse(JSON.parse(readFileSync(join(out, 'results', 'alice.json'), 'utf8')));
    expect(saved.sandbox.limits.timeout_s).toBe(60);
  });

  test('a Canvas roster export is read as it is (fixtures/rosters/canvas.csv): quoted names with commas, a BOM, CRLF, ids from SIS Login ID', async () => {
    const small = join(work, 'small-class');
    cpSync(join(subs, 'pass'), join(small, 'leo'), { recursive: true });
    cpSync(join(subs, 'fail/partial'), join(small, 'ana.obrien'), { recursive: true });
    cpSync(join(subs, 'pass'), join(small, 'walkin'), { recursive: true });
    const roster = join(ROOT, 'fixtures/rosters/canvas.csv');
    const out = join(work, 'grades-canvas');
    const run = await ailab(['grade', 'lab-00', small, '--out', out, '--jobs', '2', '--roster', roster]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(table(out)).toEqual(['ana.obrien,fail,85', 'leo,pass,100', 'walkin,pass,100', 'jmuller,no-submission,0']);
    expect(run.stdout).toContain('no submission from: jmuller');
    expect(run.stdout).toContain('not on the roster: walkin');
    expect(run.stdout).toContain('roster: 3 student(s), ids from the column "SIS Login ID" of a Canvas export');
    // canvas.csv goes back into Canvas as it is: the roster's identity columns, and a blank for the student who submitted nothing.
    const canvas = readFileSync(join(out, 'canvas.csv'), 'utf8').split('\r\n');
    expect(canvas[0]).toBe('Student,ID,SIS User ID,SIS Login ID,Section,lab-00 Warm-up: cosine similarity and a stable top-k');
    expect(canvas).toContain('"Lee, Leo",1234,S1234,leo,"CS 101, Section 1",100');
    expect(canvas.find((l) => l.includes(',jmuller,'))).toMatch(/,$/);
    expect(readFileSync(join(out, 'moodle.csv'), 'utf8').split('\r\n')).toContain('leo,100');
    const named = await ailab(['grade', 'lab-00', small, '--out', join(work, 'grades-canvas-2'), '--roster', roster, '--roster-id-column', 'Nickname']);
    expect(named.exitCode).toBe(2);
    expect(named.stderr).toContain('has no column "Nickname"');
    expect(named.stderr).toContain('"SIS Login ID"');
  });

  test('grades a mixed class into an exact gradebook, with every export', async () => {
    const out = join(work, 'grades');
    writeFileSync(join(work, 'roster.csv'), `id,name\n${EXPECTED.map((r) => r.split(',')[0]).join(',x\n')},x\nzoe,Z\n`);
    const tmp = mkdtempSync(join(work, 'tmp-'));
    const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '2', '--roster', join(work, 'roster.csv')], { env: { TMPDIR: tmp } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(table(out)).toEqual([...EXPECTED, 'zoe,no-submission,0']);
    expect(run.stdout).toContain('no submission from: zoe');
    expect(run.stdout).toMatch(/hardest checks:\n {2}\S+/);
    for (const student of EXPECTED.map((r) => r.split(',')[0])) {
      ResultsSchema.parse(JSON.parse(readFileSync(join(out, 'results', `${student}.json`), 'utf8')));
      const gs = JSON.parse(readFileSync(join(out, 'gradescope', student, 'results.json'), 'utf8'));
      expect(gs.tests.filter((t: { visibility: string }) => t.visibility === 'after_published')).toHaveLength(8);
      expect(existsSync(join(out, 'feedback', `${student}.md`))).toBe(true);
    }
    const mallory = JSON.parse(readFileSync(join(out, 'results', 'mallory-zipslip.json'), 'utf8'));
    expect(mallory.problems[0]).toContain('a path that escapes its folder: ../../escaped.ts');
    expect(existsSync(join(work, 'escaped.ts'))).toBe(false);
    const oscar = JSON.parse(readFileSync(join(out, 'results', 'oscar-symlink.json'), 'utf8'));
    expect(oscar.problems[0]).toContain('symbolic link');
    const feedback = readFileSync(join(out, 'feedback', 'bob.md'), 'utf8');
    expect(feedback).toContain('**85/100, 2 checks failing**');
    expect(feedback).toContain('### topk-ties: ties break by id, ascending, whatever the input order (fail, 10 points)');
    const bob = ResultsSchema.parse(JSON.parse(readFileSync(join(out, 'results', 'bob.json'), 'utf8')));
    expect(feedback).toContain(`submission \`${bob.submission.sha256.slice(0, 16)}\` · lab version \`${bob.lab.version}\``);
    expect(feedback).not.toContain('import {'); // no test source leaks
    expect(feedback).not.toMatch(/checks\/|\u001b/); // no hidden paths, no terminal codes
    // carol's syntax error: one block and one line of standing, not a message per check.
    const carol = readFileSync(join(out, 'feedback', 'carol.md'), 'utf8');
    expect(carol).toContain('**0/100: src/similarity.ts does not compile**');
    expect(carol.match(/does not compile/g)!.length).toBeLessThanOrEqual(3);
    expect(carol.split('\n').length).toBeLessThan(40);
    // dave exits at import: every check has the same cause, said once with the checks it cost.
    const dave = readFileSync(join(out, 'feedback', 'dave.md'), 'utf8');
    expect(dave).toMatch(/### 11 checks: cosine-identical, .* \(error, 100 points\)/);
    expect(dave).toContain('The process running your code ended during this check: it exited with code 0 (does the code call process.exit()?)');
    expect(dave.split('\n').length).toBeLessThan(45);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(`data-sha256="${bob.submission.sha256}"`);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="bob" tests="11" failures="2" errors="0" skipped="0" time="\d+\.\d{3}" timestamp="[^"]+">/);
    expect(junit).toMatch(/<testsuite name="carol" tests="11" failures="0" errors="11" skipped="0"/);
    expect(junit).toContain(`<property name="submission_sha256" value="${bob.submission.sha256}"/>`);
    expect(junit).toContain('<property name="points.topk-ties" value="0/10"/>');
    // Only this run's containers (run trees under its TMPDIR): other e2e files run beside this one.
    expect(await containersUnder(new Docker(), `${tmp}/`)).toEqual([]);
  });

  test('--resume reuses unchanged results and regrades a changed submission', async () => {
    const out = join(work, 'grades');
    writeFileSync(join(klass, 'bob/src/similarity.ts'), readFileSync(join(subs, 'pass/src/similarity.ts')));
    try {
      const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--resume']);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stdout).toContain('8 result(s) reused with --resume.');
      expect(table(out)).toContain('bob,pass,100');
    } finally {
      cpSync(join(subs, 'fail/partial'), join(klass, 'bob'), { recursive: true });
    }
  });

  test('Ctrl-C midway leaves only complete results and no containers; --resume finishes the class', async () => {
    const out = join(work, 'interrupted');
    const tmp = mkdtempSync(join(work, 'tmp-'));
    const child = ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '1'], { env: { TMPDIR: tmp } });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (!existsSync(join(out, 'results')) || readdirSync(join(out, 'results')).filter((f) => f.endsWith('.json')).length < 2)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const stopped = await child;
    expect(stopped.exitCode).toBe(130);
    const files = readdirSync(join(out, 'results'));
    expect(files.every((f) => f.endsWith('.json')), `half-written files: ${files}`).toBe(true);
    expect(files.length).toBeLessThan(EXPECTED.length);
    for (const f of files) ResultsSchema.parse(JSON.parse(readFileSync(join(out, 'results', f), 'utf8')));
    expect(existsSync(join(out, 'grades.csv'))).toBe(false);
    expect(await containersUnder(new Docker(), `${tmp}/`)).toEqual([]);
    const resumed = await ailab(['grade', 'lab-00', klass, '--out', out, '--resume', '--jobs', '2']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`${files.length} result(s) reused with --resume.`);
    expect(table(out)).toEqual(EXPECTED);
  });

  test('a second run on a locked output folder refuses', async () => {
    const out = join(work, 'locked');
    cpSync(join(work, 'grades'), out, { recursive: true });
    writeFileSync(join(out, '.ailab-grade.lock'), String(process.pid));
    const run = await ailab(['grade', 'lab-00', klass, '--out', out]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`Another grade run (pid ${process.pid}) is writing to ${out}.`);
  });

  test('grading without isolation needs --unsafe-local', async () => {
    const run = await ailab(['grade', 'lab-00', klass, '--out', join(work, 'x'), '--sandbox', 'local']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--sandbox local needs --unsafe-local');
  });
});
