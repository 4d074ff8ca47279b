// Issue #8: `ailab grade` when the infrastructure misbehaves, with real parts only: a private
// Docker daemon killed and restarted mid-batch, an output folder on a tmpfs that fills up, and two
// grade runs started at once on one folder. Every run here uses the private daemon (the machine's
// daemon only lends it the sandbox image), so "no container is left" is about our runs alone.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeClass, type ClassMember } from '../../fixtures/classes/make-class.ts';
import { ensureImage } from '../../runner/image/ensure.ts';
import { ResultsSchema, type Results } from '../../runner/results/schema.ts';
import { ailab, ROOT } from '../helpers/cli.ts';
import { canMount, mountTmpfs, unmountUnder } from '../helpers/mounts.ts';
import { PrivateDockerd } from '../helpers/private-dockerd.ts';
import { gradebookRows } from '../helpers/results.ts';

const work = mkdtempSync(join(tmpdir(), 'ailab-resilience-'));
const klass = join(work, 'class');
const daemon = new PrivateDockerd();
/** The class and the grade each student must get: the solution, the starter and four mutants. */
let expected: ClassMember[] = [];
/** A folder holding a complete, correct gradebook of the class, once one test has made it. */
let reference: string | undefined;

beforeAll(async () => {
  expected = await makeClass('lab-00', klass, 6);
  const tag = await ensureImage(new Docker(), { root: ROOT, onProgress: () => {} });
  await daemon.start();
  await daemon.copyImage(new Docker(), tag);
});
afterAll(async () => {
  await daemon.destroy();
  unmountUnder(work);
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** `ailab grade` on the private daemon. */
const grade = (args: string[]) => ailab(['grade', 'lab-00', klass, '--jobs', '2', ...args], { env: { DOCKER_HOST: daemon.host } });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const expectedRows = () => expected.map((m) => `${m.student},${m.status},${m.score}`);

const table = gradebookRows;

/** Every results/*.json, parsed and validated (a half-written file would throw here). */
function readResults(out: string): Map<string, Results> {
  const dir = join(out, 'results');
  if (!existsSync(dir)) return new Map();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  return new Map(files.map((f) => [f.slice(0, -'.json'.length), ResultsSchema.parse(JSON.parse(readFileSync(join(dir, f), 'utf8')))]));
}

/** Files anywhere under dir that an unfinished write or a held lock would leave. */
function leftovers(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((p) => /\.tmp-|\.ailab-grade\.lock/.test(p));
}

/** The honest grade for a student, or an infrastructure error that says it is not their fault. */
function expectHonestOrInfraError(student: string, r: Results): 'honest' | 'infra' {
  const want = expected.find((m) => m.student === student)!;
  if (r.sandbox.failure !== undefined) {
    expect(r.status, student).toBe('error');
    expect(r.problems[0], student).toMatch(/^Infrastructure failure, not the student's fault/);
    return 'infra';
  }
  expect(`${student},${r.status},${r.score}`).toBe(`${want.student},${want.status},${want.score}`);
  return 'honest';
}

const leftContainers = () => daemon.docker.listContainers({ all: true, filters: { label: ['ailab=1'] } });

describe('the Docker daemon restarts mid-batch', () => {
  test('affected students are retried once the daemon answers again; every student has exactly one result', async () => {
    const out = join(work, 'restart');
    const run = grade(['--out', out]);
    let finished = false;
    void run.then(() => (finished = true));
    while (!finished && readResults(out).size === 0) await sleep(50);
    expect(finished, 'the batch ended before the daemon could be killed').toBe(false);
    // SIGKILL, a crash: in-flight API calls are cut mid-response (the case that used to hang the
    // batch), and containers are only stopped when the next daemon starts. SIGTERM would stop them
    // first, for up to their stop timeout, which makes the moment of the outage less certain.
    await daemon.kill('SIGKILL');
    await sleep(3000); // down long enough that an instant retry would fail too
    await daemon.start();
    const done = await run;

    const results = readResults(out);
    expect([...results.keys()].sort()).toEqual(expected.map((m) => m.student));
    expect(readdirSync(join(out, 'results')).length, 'one file per student, nothing else').toBe(expected.length);
    const kinds = [...results].map(([student, r]) => expectHonestOrInfraError(student, r));
    const rows = table(out);
    expect(rows.map((r) => r.split(',')[0])).toEqual(expected.map((m) => m.student));
    for (const [student, r] of results) expect(rows).toContain(`${student},${r.status},${r.score}`);
    // Exit 0 when every student got an honest grade; 3 (infrastructure) when any could not be graded.
    expect(done.exitCode, done.stderr).toBe(kinds.includes('infra') ? 3 : 0);
    if (kinds.includes('infra')) expect(done.stderr).toContain('could not be graded because the sandbox failed twice');
    // The outage hit the batch, and the retry waited for the daemon instead of failing at once.
    expect(done.stderr).toMatch(/warning: s\d+-\S+: The Docker sandbox failed: .* \(grading again once the sandbox answers\)/);
    expect(done.stderr).toContain(`warning: the Docker daemon at ${daemon.host} is not answering; waiting up to 20 s`);
    expect(done.stderr).toMatch(/warning: the Docker daemon answers again after \d+(\.\d)? s/);
    expect(leftovers(out)).toEqual([]);
    expect(await leftContainers()).toEqual([]);
  });
});

describe('two grade runs on the same output folder', () => {
  test('started at once on a folder with a crashed run\'s lock: exactly one grades, the other refuses', async () => {
    const out = join(work, 'race');
    mkdirSync(out);
    const crashed = spawnSync(process.execPath, ['-e', '']).pid; // its process is gone: a stale lock
    writeFileSync(join(out, '.ailab-grade.lock'), `${crashed}\n`);
    const children = [0, 1].map(() => grade(['--out', out]));
    const runs = await Promise.all(children);
    const refused = runs.filter((r) => r.exitCode === 2);
    const graded = runs.filter((r) => r.exitCode === 0);
    expect(refused, runs.map((r) => r.stderr).join('\n---\n')).toHaveLength(1);
    expect(graded).toHaveLength(1);
    const winner = children[runs.indexOf(graded[0])].pid;
    expect(refused[0].stderr).toContain(`error: Another grade run (pid ${winner}) is writing to ${out}.`);
    expect(table(out)).toEqual(expectedRows());
    for (const [student, r] of readResults(out)) expect(expectHonestOrInfraError(student, r)).toBe('honest');
    expect(leftovers(out)).toEqual([]);
    expect(await leftContainers()).toEqual([]);
    reference = out;
  });
});

describe('the disk fills up while writing results', () => {
  const mnt = join(work, 'full');
  afterAll(() => unmountUnder(mnt));

  test('a clear E_DISK_FULL error, only complete files, the previous gradebook untouched; --resume finishes', async (ctx) => {
    ctx.skip(!canMount, 'mounting a tmpfs needs root; CI runs the tests as root');
    if (!reference) {
      reference = join(work, 'reference');
      const made = await grade(['--out', reference]);
      expect(made.exitCode, made.stderr).toBe(0);
    }
    mountTmpfs(mnt, 1024 * 1024);
    // The previous gradebook in this folder; it must survive whole.
    for (const f of ['grades.csv', 'grades.json']) cpSync(join(reference, f), join(mnt, f));
    const page = 4096;
    const pagesPerResult = Math.max(...readdirSync(join(reference, 'results')).map((f) => Math.ceil(statSync(join(reference!, 'results', f)).size / page)));
    // Room for the lock, two results and one page of a third: that write comes up short, then fails.
    const room = (1 + 2 * pagesPerResult + 1) * page;
    const { bavail, bsize } = statfsSync(mnt);
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(bavail * bsize - room));

    const run = await grade(['--out', mnt]);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain(`error: The disk holding ${mnt} is full: could not write results/`);
    expect(run.stderr).toMatch(/next: Free space on it \(`df -h .*`\) or grade into another --out folder\./);
    const saved = readResults(mnt);
    expect(saved.size).toBeGreaterThanOrEqual(1);
    expect(saved.size).toBeLessThan(expected.length);
    for (const [student, r] of saved) expect(expectHonestOrInfraError(student, r)).toBe('honest');
    for (const f of ['grades.csv', 'grades.json']) expect(readFileSync(join(mnt, f)).equals(readFileSync(join(reference, f))), f).toBe(true);
    for (const f of ['junit.xml', 'report.html', 'gradescope', 'feedback']) expect(existsSync(join(mnt, f)), f).toBe(false);
    expect(leftovers(mnt)).toEqual([]);
    expect(await leftContainers()).toEqual([]);

    rmSync(join(mnt, 'filler'));
    const resumed = await grade(['--out', mnt, '--resume']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`${saved.size} result(s) reused with --resume.`);
    expect(table(mnt)).toEqual(expectedRows());
    expect(leftovers(mnt)).toEqual([]);
  });
});
