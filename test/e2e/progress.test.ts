import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { demoCourse, removeTree, writeTree } from '../helpers/course.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach(removeTree));

/** A throwaway demo course that can run checks in the local sandbox. */
function course(overrides: Record<string, string> = {}): string {
  const root = writeTree(demoCourse(overrides));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  roots.push(root);
  return root;
}

const env = (root: string) => ({ AILAB_ROOT: root, TZ: 'UTC' });
const inCourse = (root: string, args: string[]) => ailab(args, { env: env(root) });
const progressOf = (root: string) => JSON.parse(readFileSync(join(root, '.ailab/progress.json'), 'utf8'));

/**
 * Runs the CLI in a course it may not write. Root ignores file modes, so as root the CLI runs as
 * nobody, for whom the root-owned course is read-only.
 */
function asReadOnly(root: string, args: string[]) {
  chmodSync(root, 0o555);
  const asRoot = process.getuid?.() === 0;
  const cmd = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
  return execa(cmd[0], [...cmd.slice(1), join(ROOT, 'runner/bin/ailab.mjs'), ...args], {
    cwd: '/',
    env: { NO_COLOR: '1', CI: 'true', ...env(root) },
    reject: false,
    timeout: 120_000,
  }).finally(() => chmodSync(root, 0o755));
}

describe('progress: check records runs, status and hint read them', () => {
  test('check records each workspace run; status shows best, last run and hints; hint climbs the ladder', async () => {
    const root = course();
    const first = await inCourse(root, ['check', '7', '--sandbox', 'local']);
    expect(first.exitCode, first.stderr).toBe(1);
    writeFileSync(join(root, 'labs/lab-07-demo/src/add.ts'), 'export function add(a: number, b: number): number {\n  return a > 0 ? a + b : 0;\n}\n');
    const second = await inCourse(root, ['check', '7', '--sandbox', 'local']);
    expect(second.stdout).toContain('Score: 5/10 (50%)');
    const solution = await inCourse(root, ['check', '7', '--solution', '--sandbox', 'local']);
    expect(solution.exitCode).toBe(0);

    const lab = progressOf(root).labs['lab-07'];
    expect(lab.runs.map((r: { score: number }) => r.score)).toEqual([0, 5]); // the --solution run is not the learner's progress
    expect(lab.best).toMatchObject({ score: 5, maxScore: 10, status: 'fail' });
    expect(lab.lastRun).toMatchObject({ score: 5, notPassing: ['add-negative'] });

    const h1 = await inCourse(root, ['hint', '7']);
    expect(h1.exitCode).toBe(0);
    expect(h1.stdout).toBe(
      [
        'lab-07  add-negative: adds negative numbers (hidden check)',
        '(the first check that did not pass in your last run)',
        'hint 1/2: Negative numbers too.',
        '',
        'Run `npm run lab -- hint lab-07 add-negative` again for the next hint.',
      ].join('\n'),
    );
    const h2 = await inCourse(root, ['hint', 'demo', 'add-negative']);
    expect(h2.stdout).toBe(
      [
        'lab-07  add-negative: adds negative numbers (hidden check)',
        'hint 1/2: Negative numbers too.',
        'hint 2/2: Still +.',
        '',
        'That was the last hint for add-negative: you have seen all 2. See labs/lab-07-demo/README.md.',
      ].join('\n'),
    );
    const h3 = await inCourse(root, ['hint', 'demo', 'add-negative']);
    expect(h3.stdout).toContain('No more hints for add-negative: you have seen all 2.');
    expect(progressOf(root).labs['lab-07'].hints).toEqual({ 'add-negative': 2 });

    const status = await inCourse(root, ['status']);
    expect(status.exitCode).toBe(0);
    const at = lab.lastRun.at.slice(0, 16).replace('T', ' ');
    expect(status.stdout).toBe(
      [
        'lab     title     level  time   best        last run                 hints',
        `lab-07  Demo lab  easy   5 min  5/10 (50%)  50% at ${at}  2`,
        '',
        'Next: Keep going with lab-07 (best 50%): fix add-negative next, then `npm run check lab-07`. Stuck? `npm run lab -- hint lab-07`.',
      ].join('\n'),
    );
    const json = JSON.parse((await inCourse(root, ['status', '--json'])).stdout);
    expect(json.labs[0]).toMatchObject({ id: 'lab-07', runs: 2, hintsUsed: 2, best: { score: 5 } });

    // A one-rung ladder is not "exhausted" the first time it is asked.
    const single = await inCourse(root, ['hint', 'demo', 'add-small']);
    expect(single.stdout).toBe(
      ['lab-07  add-small: adds small numbers', 'hint 1/1: Use +.', '', 'That is the only hint for add-small. See labs/lab-07-demo/README.md for more.'].join('\n'),
    );
  });

  test('status with no history suggests the first lab', async () => {
    const root = course();
    const run = await inCourse(root, ['status']);
    expect(run.stdout).toBe(
      [
        'lab     title     level  time   best  last run  hints',
        'lab-07  Demo lab  easy   5 min  -     never     0',
        '',
        'Next: Start lab-07, Demo lab (~5 min): edit its src/ files, then `npm run check lab-07`.',
      ].join('\n'),
    );
    expect(existsSync(join(root, '.ailab'))).toBe(false); // reading writes nothing
  });
});

describe('progress: error paths', () => {
  test('an unknown lab or check is a usage error (exit 2)', async () => {
    const root = course();
    const lab = await inCourse(root, ['hint', 'lab-42']);
    expect(lab.exitCode).toBe(2);
    expect(lab.stderr).toContain('error: Unknown lab "lab-42". The labs are:\n  lab-07-demo');
    const check = await inCourse(root, ['hint', '7', 'add-smal']);
    expect(check.exitCode).toBe(2);
    expect(check.stderr).toBe('error: lab-07 has no check "add-smal". Did you mean "add-small"?\nnext: Its checks: add-small, add-negative.');
  });

  test('a corrupt progress file is reported, backed up and reset; status still works', async () => {
    const root = course();
    mkdirSync(join(root, '.ailab'));
    writeFileSync(join(root, '.ailab/progress.json'), '{"version": 1, "labs": {"lab-07": {"runs": [{"at": "yesterday"}]}}}');
    const run = await inCourse(root, ['status']);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toMatch(/^warning: \.ailab\/progress\.json is corrupt \(labs\.lab-07\.runs\[0\]\.at: .*\)\. It was moved to \.ailab\/progress\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z and your history starts afresh\.$/);
    expect(run.stdout).toContain('lab-07  Demo lab  easy   5 min  -     never     0');
    expect(readdirSync(join(root, '.ailab')).filter((f) => f.startsWith('progress.json.corrupt-'))).toHaveLength(1);
    const hint = await inCourse(root, ['hint', '7']);
    expect(hint.exitCode).toBe(0);
    expect(progressOf(root).version).toBe(1);
    // check meets a corrupt file too: it warns, still prints its score, and starts a fresh history
    writeFileSync(join(root, '.ailab/progress.json'), '{"version": 1, "labs": ');
    const check = await inCourse(root, ['check', '7', '--sandbox', 'local']);
    expect(check.stdout).toContain('Score: 0/10 (0%)');
    expect(check.stderr).toMatch(/warning: \.ailab\/progress\.json is corrupt \(.*JSON.*\)\. It was moved to/);
    expect(progressOf(root).labs['lab-07'].runs).toHaveLength(1);
    expect(readdirSync(join(root, '.ailab')).filter((f) => f.startsWith('progress.json.corrupt-'))).toHaveLength(2);
  });

  test('a read-only course: hint fails with a typed error (exit 3), check still prints its score with a warning', async () => {
    const root = course();
    const hint = await asReadOnly(root, ['hint', '7']);
    expect(hint.exitCode).toBe(3);
    expect(hint.stderr).toMatch(/^error: Cannot write \.ailab\/progress\.json: EACCES: permission denied/);
    expect(hint.stderr).toContain('next: ailab keeps its state in .ailab/ under the course folder. Make that folder writable (EACCES)');
    expect(hint.stdout).toBe('');
    const check = await asReadOnly(root, ['check', '7', '--sandbox', 'local']);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain('Score: 0/10 (0%)');
    expect(check.stderr).toContain('warning: Cannot write .ailab/progress.json: EACCES');
    expect(check.stderr).toContain('Your score was not saved to your progress.');
  });
});

describe('learner commands: help and typos', () => {
  test.each(['hint', 'status', 'reset', 'watch'])('%s --help prints usage and examples', async (cmd) => {
    const run = await ailab([cmd, '--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: ailab ${cmd}`));
    expect(run.stdout).toContain(`Examples:\n  npm run lab -- ${cmd}`);
  });

  test('a mistyped learner command suggests the right one', async () => {
    const run = await ailab(['stauts']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Unknown command "stauts". Did you mean "status"?');
  });
});
