import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { demoCourse, demoManifest, removeTree, writeTree } from '../helpers/course.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach(removeTree));
function course(overrides: Record<string, string> = {}, omit: string[] = []): string {
  const files = demoCourse(overrides);
  for (const path of omit) delete files[path];
  const root = writeTree(files);
  roots.push(root);
  return root;
}

/** Runs the CLI against a throwaway course and returns exit code, stdout and stderr. */
const inCourse = (root: string, args: string[], env: Record<string, string> = {}) => ailab(args, { env: { AILAB_ROOT: root, ...env } });

describe('bad input gets a clear message and exit code, never a stack trace', () => {
  test('an unknown lab lists the labs (exit 2)', async () => {
    const run = await ailab(['check', 'lab-42']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: Unknown lab "lab-42". The labs are:\n  lab-00-warmup');
    expect(run.stderr).toContain('next: Name a lab by its number');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('a malformed lab.yaml prints path: message (exit 2)', async () => {
    const root = course({ 'labs/lab-07-demo/lab.yaml': demoManifest().replace('points: 5\n        visibility: public', 'points: 0\n        visibility: public') });
    const run = await inCourse(root, ['check', '7']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: labs/lab-07-demo/lab.yaml: tasks[0].checks[0].points: expected a positive number');
  });

  test('a missing workspace file says how to restore it (exit 2)', async () => {
    const root = course({}, ['labs/lab-07-demo/src/add.ts']);
    const run = await inCourse(root, ['check', 'demo']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: Cannot grade your workspace (labs/lab-07-demo):\n  - src/add.ts is missing.');
    expect(run.stderr).toContain('git checkout -- labs/lab-07-demo/<file>');
  });

  test('--submission pointing at nothing (exit 2)', async () => {
    const run = await ailab(['check', 'lab-00', '--submission', 'no/such/folder']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: --submission no/such/folder does not exist.');
  });

  test('for a grading platform, a submission that cannot be taken is its results file: score 0 and the reason (exit 1)', async () => {
    const dir = writeTree({ 'notes.txt': 'forgot the code' });
    roots.push(dir);
    const out = join(dir, 'results.json');
    const pl = await ailab(['check', 'lab-00', '--submission', dir, '--reporter', 'prairielearn', '--out', out]);
    expect(pl.exitCode, pl.stderr).toBe(1);
    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect([results.gradable, results.format_errors[0]]).toEqual([false, expect.stringContaining('src/similarity.ts is missing.')]);
    const gs = await ailab(['check', 'lab-00', '--submission', dir, '--reporter', 'gradescope']);
    expect(gs.exitCode, gs.stderr).toBe(1);
    const graded = JSON.parse(gs.stdout);
    expect([graded.score, graded.tests.every((t: { score: number }) => t.score === 0)]).toEqual([0, true]);
    expect(graded.tests[0].output).toContain('src/similarity.ts is missing.');
  });

  test('a symlink in the submission is rejected (exit 2)', async () => {
    const dir = writeTree({ 'src/.keep': '' });
    roots.push(dir);
    symlinkSync('/etc/passwd', join(dir, 'src/similarity.ts'));
    const run = await ailab(['check', 'lab-00', '--submission', dir]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('src/similarity.ts is a symbolic link; submit the file itself.');
  });

  test('an oversized file in the submission is rejected (exit 2)', async () => {
    const dir = writeTree({ 'src/.keep': '' });
    roots.push(dir);
    writeFileSync(join(dir, 'src/similarity.ts'), Buffer.alloc(3 * 1024 * 1024, 32));
    const run = await ailab(['check', 'lab-00', '--submission', dir]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('src/similarity.ts is 3.0 MB; each file may be at most 1 MB.');
  });

  test('a Docker daemon that is down (exit 3)', async () => {
    const run = await ailab(['check', 'lab-00', '--sandbox', 'docker'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('error: No Docker daemon answers at unix:///nonexistent/docker.sock.');
    expect(run.stderr).toContain('--sandbox local');
  });

  test('without Docker, auto falls back to the local sandbox with a visible warning', async () => {
    const run = await ailab(['check', 'lab-00', '--solution'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(run.stderr).toContain('No Docker daemon answers at unix:///nonexistent/docker.sock, so this run uses the local sandbox.');
    expect(run.stderr).toContain('NOT isolated');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('sandbox: local');
  });

  test('an image build that fails (exit 3)', async () => {
    // A course with no node_modules has nothing to put in the offline image.
    const root = course();
    const run = await inCourse(root, ['check', 'demo', '--sandbox', 'docker'], { AILAB_IMAGE_MODE: 'offline' });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('error: node_modules/vitest is missing, so there is nothing to put in the image.');
    expect(run.stderr).toContain('next: Run `npm install` first.');
  });

  test('export: a missing or unknown platform, a missing lab or course folder, a bad --hidden or --out are usage errors (exit 2), and nothing is written', async () => {
    const cases: [string[], string][] = [
      [['export'], 'error: Name a platform and a lab.'],
      [['export', 'moodle', 'lab-00'], 'error: Unknown platform "moodle".'],
      [['export', 'gradescope'], 'error: Name the lab to export.'],
      [['export', 'gradescope', 'lab-99'], 'lab-99'],
      [['export', 'gradescope', 'lab-00', '--hidden', 'sometimes'], 'error: --hidden must be one of visible, hidden, after_due_date, after_published, not "sometimes".'],
      [['export', 'gradescope', 'lab-00', '--out', '/nonexistent-dir/a.zip'], 'the folder /nonexistent-dir does not exist'],
      [['export', 'prairielearn', 'lab-00'], 'error: Name the PrairieLearn course folder'],
      [['export', 'prairielearn', 'lab-00', '/tmp', '--hidden', 'visible'], 'error: --out and --hidden are for gradescope.'],
      [['export', 'prairielearn', 'lab-00', join(ROOT, 'package.json')], 'is not a folder'],
    ];
    for (const [args, message] of cases) {
      const run = await ailab(args);
      expect(run.exitCode, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(message);
      expect(run.stderr).toMatch(/\nnext: /);
    }
    expect(existsSync('/nonexistent-dir')).toBe(false);
  });

  test('unknown options and commands are usage errors (exit 2)', async () => {
    const bad = await ailab(['check', 'lab-00', '--frobnicate']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("error: Unknown option '--frobnicate'.");
    const typo = await ailab(['verfy']);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('Did you mean "verify"?');
  });

  test.each(['check', 'list', 'verify', 'image', 'doctor', 'schema', 'export'])('%s --help prints usage and examples', async (cmd) => {
    const run = await ailab([cmd, '--help']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Usage: ailab /);
    expect(run.stdout).toContain('Example');
  });
});
