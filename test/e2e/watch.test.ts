import { copyFileSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { demoCourse, removeTree, writeTree } from '../helpers/course.ts';

// watch runs in a real terminal: tmux gives it a TTY (raw-mode keys, screen clearing), and
// capture-pane reads the screen back.

const roots: string[] = [];
const sessions: string[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await execa('tmux', ['kill-session', '-t', s], { reject: false });
  roots.splice(0).forEach(removeTree);
});

const SOLUTION = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n';
const HANGS = 'export function add(a: number, b: number): number {\n  for (;;) {}\n}\n';
/** Passes the public check only: |a| + |b| is wrong for negative numbers. */
const HALF = 'export function add(a: number, b: number): number {\n  return Math.abs(a) + Math.abs(b);\n}\n';

/** A throwaway course that can run in the local sandbox (node_modules linked) or in Docker (same image inputs as the repo). */
function course(): string {
  const root = writeTree(demoCourse());
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  for (const file of ['package.json', 'package-lock.json', 'docker/Dockerfile']) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    copyFileSync(join(ROOT, file), join(root, file));
  }
  roots.push(root);
  return root;
}

/** Starts `ailab watch` in a detached 200x50 tmux session; the pane shows EXIT=<code> when it ends. */
async function startWatch(root: string, args: string[]): Promise<string> {
  const name = `ailab-watch-${process.pid}-${sessions.length}`;
  sessions.push(name);
  const cmd = `cd ${ROOT} && env -u CI NO_COLOR=1 TZ=UTC AILAB_ROOT=${root} ${process.execPath} runner/bin/ailab.mjs watch ${args.join(' ')}; echo EXIT=$?; sleep 600`;
  await execa('tmux', ['new-session', '-d', '-s', name, '-x', '200', '-y', '50', cmd]);
  return name;
}

const screen = async (name: string) => (await execa('tmux', ['capture-pane', '-p', '-t', name])).stdout;

/** Polls the screen until it matches, or fails with the last screen. */
async function waitFor(name: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await screen(name);
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`screen never matched ${pattern}; it shows:\n${last}`);
}

const runsOf = (root: string) => JSON.parse(readFileSync(join(root, '.ailab/progress.json'), 'utf8')).labs['lab-07'].runs.map((r: { score: number }) => r.score);

describe('watch in a real terminal', () => {
  test('local: checks at start, re-checks on save, a newer save cancels a stale run, q quits', async () => {
    const root = course();
    const add = join(root, 'labs/lab-07-demo/src/add.ts');
    const name = await startWatch(root, ['7', '--sandbox', 'local']);
    const first = await waitFor(name, /0\/10 \(0%\)/);
    expect(first).toMatch(/^✗ lab-07  0\/10 \(0%\)  0 of 2 checks pass  at \d\d:\d\d:\d\d\n\nadd-small  adds small numbers  fail  0\/5\n  TODO\n/);
    expect(first).not.toContain('add-negative'); // details of the first failing check only
    expect(first).toContain('hint: Use +.');
    expect(first).toContain('watching src/add.ts in labs/lab-07-demo · local sandbox (NOT isolated) · q quits, r re-runs');

    writeFileSync(add, HANGS); // this run would take the 10 s per-test limit...
    await waitFor(name, /running 2 checks/);
    await new Promise((r) => setTimeout(r, 1000));
    const saved = Date.now();
    writeFileSync(add, SOLUTION); // ...but a newer save cancels it
    const done = await waitFor(name, /10\/10 \(100%\)/, 9000);
    expect(Date.now() - saved).toBeLessThan(9000);
    expect(done).toMatch(/^✓ lab-07  10\/10 \(100%\)  all 2 checks pass  at \d\d:\d\d:\d\d\n\nEvery check passes\. Well done!\n/);
    expect(done).not.toContain(' 0/10 (0%)'); // the screen was cleared between runs
    expect(runsOf(root)).toEqual([0, 10]); // the cancelled run is not recorded

    await execa('tmux', ['send-keys', '-t', name, 'q']);
    expect(await waitFor(name, /EXIT=\d+/, 10_000)).toContain('EXIT=0');
  });

  // vim, emacs and JetBrains IDEs save by writing a temp file and renaming it over the original;
  // a watcher on the file's inode goes deaf after that. Every one of 20 saves of each kind must re-run.
  test.each([
    ['atomic (write a temp file, rename it over the original)', (file: string, text: string) => {
      const temp = join(file, '..', '..', '.t.ts');
      writeFileSync(temp, text);
      renameSync(temp, file);
    }],
    ['in place (truncate and write)', (file: string, text: string) => writeFileSync(file, text)],
  ])('local: 20 saves in a row, %s, each re-run', async (_kind, save) => {
    const root = course();
    const add = join(root, 'labs/lab-07-demo/src/add.ts');
    const name = await startWatch(root, ['7', '--sandbox', 'local']);
    await waitFor(name, / 0\/10 \(0%\)/);
    for (let i = 1; i <= 20; i++) {
      const full = i % 2 === 1;
      save(add, full ? SOLUTION : HALF);
      await waitFor(name, full ? /^✓ lab-07  10\/10 \(100%\)/ : /^✗ lab-07  5\/10 \(50%\)/, 20_000).catch((error: Error) => {
        throw new Error(`save ${i} of 20 was not picked up: ${error.message}`);
      });
    }
    expect(runsOf(root)).toEqual([0, ...Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 10 : 5))]);
    await execa('tmux', ['send-keys', '-t', name, 'q']);
    expect(await waitFor(name, /EXIT=\d+/, 10_000)).toContain('EXIT=0');
  }, 240_000);

  test('local: a missing file is shown and watched, not fatal; Ctrl-C quits with 130', async () => {
    const root = course();
    const add = join(root, 'labs/lab-07-demo/src/add.ts');
    const name = await startWatch(root, ['demo', '--sandbox', 'local']);
    await waitFor(name, /0\/10 \(0%\)/);
    await execa('rm', [add]);
    const missing = await waitFor(name, /cannot run the checks yet/);
    expect(missing).toContain('src/add.ts is missing.');
    writeFileSync(add, SOLUTION);
    await waitFor(name, /10\/10 \(100%\)/);
    await execa('tmux', ['send-keys', '-t', name, 'C-c']);
    const end = await waitFor(name, /EXIT=\d+/, 10_000);
    expect(end).toContain('Interrupted. Nothing was left running.');
    expect(end).toContain('EXIT=130');
  });

  test('docker: re-checks on save in the Docker sandbox', async () => {
    const root = course();
    const name = await startWatch(root, ['7', '--sandbox', 'docker']);
    await waitFor(name, /0\/10 \(0%\)/, 120_000);
    expect(await screen(name)).toContain('docker sandbox · q quits');
    writeFileSync(join(root, 'labs/lab-07-demo/src/add.ts'), SOLUTION);
    await waitFor(name, /10\/10 \(100%\)/, 60_000);
    await execa('tmux', ['send-keys', '-t', name, 'q']);
    expect(await waitFor(name, /EXIT=\d+/, 20_000)).toContain('EXIT=0');
    const left = await execa('docker', ['ps', '-q', '--filter', 'label=ailab.lab=lab-07']);
    expect(left.stdout).toBe(''); // no container left running
  });

  test('docker: a watch killed outright (SIGKILL) leaves no container behind', async () => {
    const root = course();
    const child = ailab(['watch', '7', '--sandbox', 'docker'], { env: { AILAB_ROOT: root }, timeoutMs: 120_000 });
    let out = '';
    await new Promise<void>((resolve) =>
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (/ 0\/10 \(0%\)/.test(out)) resolve();
      }),
    );
    const warm = async () => (await execa('docker', ['ps', '-aq', '--filter', 'label=ailab.lab=lab-07', '--filter', 'label=ailab.warm'])).stdout;
    expect(await warm()).not.toBe(''); // the warm container is up between saves
    child.kill('SIGKILL');
    await child;
    // Its agent sees stdin close and exits; Docker removes the container.
    const deadline = Date.now() + 30_000;
    while ((await warm()) !== '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await warm()).toBe('');
  });

  test('off a terminal: no screen clearing, no colour, a separator between runs, q on stdin quits', async () => {
    const root = course();
    const child = ailab(['watch', '7', '--sandbox', 'local'], { env: { AILAB_ROOT: root }, timeoutMs: 60_000 });
    let out = '';
    let saved = false;
    let quit = false;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (!saved && / 0\/10 \(0%\)/.test(out)) {
        saved = true; // save once: every save re-runs
        writeFileSync(join(root, 'labs/lab-07-demo/src/add.ts'), SOLUTION);
      }
      if (!quit && /10\/10 \(100%\)/.test(out)) {
        quit = true;
        child.stdin?.write('q\n');
      }
    });
    const run = await child;
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).not.toMatch(/\u001b/);
    expect(run.stdout).toContain(`${'─'.repeat(60)}\n✗ lab-07  0/10 (0%)  0 of 2 checks pass`);
    expect(run.stdout).toContain(`${'─'.repeat(60)}\n✓ lab-07  10/10 (100%)  all 2 checks pass`);
  });
});
