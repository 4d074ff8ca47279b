import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { demoCourse, removeTree, writeTree } from '../helpers/course.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach(removeTree));

/** A demo course committed to a fresh git repository, as a learner's clone would be. */
async function gitCourse(): Promise<string> {
  const root = writeTree(demoCourse());
  roots.push(root);
  const git = (...args: string[]) => execa('git', ['-c', 'user.name=ailab', '-c', 'user.email=ailab@example.com', ...args], { cwd: root });
  await git('init', '-q');
  await git('add', '.');
  await git('commit', '-q', '-m', 'course');
  return root;
}

const STARTER = "export function add(a: number, b: number): number {\n  throw new Error('TODO');\n}\n";
const MINE = 'export function add(a: number, b: number): number {\n  return a + b; // mine\n}\n';
const addTs = (root: string) => join(root, 'labs/lab-07-demo/src/add.ts');
const inCourse = (root: string, args: string[], env: Record<string, string> = {}) => ailab(args, { env: { AILAB_ROOT: root, ...env } });

describe('reset', () => {
  test('--yes backs the current files up, restores the starter and says where the backup is', async () => {
    const root = await gitCourse();
    writeFileSync(addTs(root), MINE);
    const run = await inCourse(root, ['reset', '7', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Reset lab-07 to its starter: src\/add\.ts\.\nYour previous files are in \.ailab\/backups\/lab-07-demo-\d{4}-\d\d-\d\dT[\d-]+Z\/\.$/);
    expect(readFileSync(addTs(root), 'utf8')).toBe(STARTER);
    const [backup] = readdirSync(join(root, '.ailab/backups'));
    expect(readFileSync(join(root, '.ailab/backups', backup, 'src/add.ts'), 'utf8')).toBe(MINE);
    const again = await inCourse(root, ['reset', '7', '--yes']);
    expect(again.stdout).toBe("lab-07's editable files are already the starter; nothing to reset.");
  });

  // The learner commits their work in their clone, under their own git identity.
  test.each([1, 3])('after %i commit(s) of the learner\'s work, the starter as shipped comes back, never HEAD', async (commits) => {
    const root = await gitCourse();
    const git = (...args: string[]) => execa('git', args, { cwd: root });
    await git('config', 'user.name', 'Learner');
    await git('config', 'user.email', 'learner@example.com');
    for (let i = 1; i <= commits; i++) {
      writeFileSync(addTs(root), MINE.replace('// mine', `// mine ${i}`));
      await git('commit', '-q', '-am', `my progress ${i}`);
    }
    const run = await inCourse(root, ['reset', '7', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Reset lab-07 to its starter: src\/add\.ts\./);
    expect(readFileSync(addTs(root), 'utf8')).toBe(STARTER);
    const again = await inCourse(root, ['reset', '7', '--yes']);
    expect(again.stdout).toBe("lab-07's editable files are already the starter; nothing to reset.");
    // Back to the learner's committed work: it is not the starter, so reset acts again.
    await git('checkout', '--', 'labs/lab-07-demo/src/add.ts');
    expect((await inCourse(root, ['reset', '7', '--yes'])).stdout).toMatch(/^Reset lab-07 to its starter/);
  });

  test('a deleted starter file is restored', async () => {
    const root = await gitCourse();
    await execa('rm', [addTs(root)]);
    const run = await inCourse(root, ['reset', 'demo', '--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe('Reset lab-07 to its starter: src/add.ts.');
    expect(readFileSync(addTs(root), 'utf8')).toBe(STARTER);
  });

  test('without a terminal and without --yes it refuses and changes nothing (exit 2)', async () => {
    const root = await gitCourse();
    writeFileSync(addTs(root), MINE);
    const run = await inCourse(root, ['reset', '7']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('error: reset replaces your work in labs/lab-07-demo and needs a confirmation, but stdin is not a terminal.\nnext: Pass --yes to reset without asking: npm run lab -- reset lab-07 --yes');
    expect(readFileSync(addTs(root), 'utf8')).toBe(MINE);
  });

  test('a course that is not a git checkout cannot be reset (exit 2)', async () => {
    const root = writeTree(demoCourse());
    roots.push(root);
    const run = await inCourse(root, ['reset', '7', '--yes'], { GIT_CEILING_DIRECTORIES: join(root, '..') });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("error: Cannot find lab-07's starter files: the course folder is not a git checkout.");
    expect(run.stderr).toContain('reset restores the starter from the git history');
  });

  test('an unknown lab (exit 2)', async () => {
    const root = await gitCourse();
    const run = await inCourse(root, ['reset', 'lab-42', '--yes']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('error: Unknown lab "lab-42".');
  });

  test('a read-only course is a typed error and nothing is changed (exit 3)', async () => {
    const root = await gitCourse();
    writeFileSync(addTs(root), MINE);
    const gitConfig = join(root, '..', `gitconfig-${process.pid}`);
    writeFileSync(gitConfig, '[safe]\n\tdirectory = *\n');
    chmodSync(root, 0o555);
    try {
      const asRoot = process.getuid?.() === 0;
      const cmd = asRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
      const run = await execa(cmd[0], [...cmd.slice(1), join(ROOT, 'runner/bin/ailab.mjs'), 'reset', '7', '--yes'], {
        cwd: '/',
        env: { NO_COLOR: '1', CI: 'true', AILAB_ROOT: root, GIT_CONFIG_GLOBAL: gitConfig },
        reject: false,
      });
      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stderr).toMatch(/^error: Cannot write the backup \.ailab\/backups\/lab-07-demo-[\dT-]+Z: EACCES: permission denied/);
      expect(readFileSync(addTs(root), 'utf8')).toBe(MINE);
    } finally {
      chmodSync(root, 0o755);
      removeTree(gitConfig);
    }
    expect(existsSync(join(root, '.ailab'))).toBe(false);
  });

  test('in a terminal it asks first: "n" changes nothing, "y" resets', async () => {
    const root = await gitCourse();
    writeFileSync(addTs(root), MINE);
    const name = `ailab-reset-${process.pid}`;
    const answer = async (key: string) => {
      await execa('tmux', ['kill-session', '-t', name], { reject: false });
      const cmd = `cd ${ROOT} && env -u CI NO_COLOR=1 AILAB_ROOT=${root} ${process.execPath} runner/bin/ailab.mjs reset 7; echo EXIT=$?; sleep 600`;
      await execa('tmux', ['new-session', '-d', '-s', name, '-x', '200', '-y', '50', cmd]);
      const screen = async () => (await execa('tmux', ['capture-pane', '-p', '-t', name])).stdout;
      const until = async (re: RegExp) => {
        for (let i = 0; i < 200 && !re.test(await screen()); i++) await new Promise((r) => setTimeout(r, 100));
        return screen();
      };
      expect(await until(/\[y\/N\]/)).toContain('Reset lab-07 to its starter? 1 file(s) differ; your current files are backed up first. [y/N]');
      await execa('tmux', ['send-keys', '-t', name, key, 'Enter']);
      return until(/EXIT=\d+/);
    };
    try {
      const no = await answer('n');
      expect(no).toContain('Nothing was changed.');
      expect(no).toContain('EXIT=0');
      expect(readFileSync(addTs(root), 'utf8')).toBe(MINE);
      const yes = await answer('y');
      expect(yes).toContain('Reset lab-07 to its starter: src/add.ts.');
      expect(readFileSync(addTs(root), 'utf8')).toBe(STARTER);
    } finally {
      await execa('tmux', ['kill-session', '-t', name], { reject: false });
    }
  });
});
