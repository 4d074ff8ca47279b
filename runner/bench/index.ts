// `npm run bench`: the runner's speed, as ratios against a baseline taken in the same run, then
// each lab's own bench (labs/*/bench.ts). Options: --skip-cold (keep the image), --runner-only,
// --boundary-only (just check-in-Docker beside plain vitest), --watch-only (a save to its result
// in watch, beside a fresh check), --runs N.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { makeClass } from '../../fixtures/classes/make-class.ts';
import { courseRoot } from '../core/paths.ts';
import { buildImage, ensureImage } from '../image/ensure.ts';
import { defaultImageMode, imageTag } from '../image/recipe.ts';
import { listLabDirs, resolveLab } from '../lab/resolve.ts';
import { prepareLearner } from '../boundary/build.ts';
import { runChecks } from '../run/run-checks.ts';
import { stageRun } from '../stage/stage.ts';
import { dockerClient, requireDocker } from '../sandbox/docker-client.ts';
import { DockerSandbox } from '../sandbox/docker.ts';
import { LocalSandbox } from '../sandbox/local.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { collectSubmission } from '../submission/collect.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Times `runs` full check runs of the lab-00 solution in a sandbox, after one warm-up. */
async function timeChecks(sandbox: Sandbox, runs: number): Promise<number[]> {
  const root = courseRoot();
  const lab = resolveLab('lab-00', root);
  const sub = collectSubmission(lab, join(lab.dir, 'solution'));
  const once = async () => {
    const t = performance.now();
    const r = await runChecks({ lab, root, files: sub.files, source: 'bench', sha256: sub.sha256, sandbox });
    if (r.status !== 'pass') throw new Error(`bench run did not pass: ${r.status}`);
    return performance.now() - t;
  };
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return times;
}

/**
 * `check <lab> --solution` in Docker (the CLI, end to end) beside plain `vitest run` on the same
 * test files with the solution loaded in-process (vitest's defaults, no sandbox, no learner
 * process): the cost of the sandbox and the process boundary, per lab, median of `runs`.
 */
async function benchBoundary(runs: number, labs: string[]): Promise<string[][]> {
  const root = courseRoot();
  const rows: string[][] = [];
  for (const id of labs) {
    const lab = resolveLab(id, root);
    const sub = collectSubmission(lab, join(lab.dir, 'solution'));
    const tree = stageRun(lab, root, sub.files, { linkNodeModules: true });
    try {
      await prepareLearner(tree.dir, tree.policy);
      const vitest = async () => {
        const t = performance.now();
        const run = await execa(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', join(tree.dir, tree.labPath)], {
          reject: false,
          env: { AILAB_BOUNDARY: 'in-process', AILAB_RUN_ROOT: tree.dir, AILAB_LAB_DIR: tree.labPath, NO_COLOR: '1', CI: '1' },
        });
        if (run.exitCode !== 0) throw new Error(`plain vitest failed on ${id}: ${run.stdout.slice(-2000)}`);
        return performance.now() - t;
      };
      const check = async () => {
        const t = performance.now();
        const run = await execa(process.execPath, [join(root, 'runner/bin/ailab.mjs'), 'check', id, '--solution', '--sandbox', 'docker', '--json'], { reject: false, env: { CI: 'true', NO_COLOR: '1' } });
        if (run.exitCode !== 0) throw new Error(`check ${id} --solution failed: ${run.stderr.slice(-2000)}`);
        return performance.now() - t;
      };
      await vitest();
      await check();
      const plain: number[] = [];
      const boxed: number[] = [];
      for (let i = 0; i < runs; i++) {
        plain.push(await vitest());
        boxed.push(await check());
      }
      rows.push([id, `${(median(boxed) / 1000).toFixed(2)} s`, `${(median(plain) / 1000).toFixed(2)} s`, `${(median(boxed) / median(plain)).toFixed(2)}×`]);
    } finally {
      tree.cleanup();
    }
  }
  console.log(`
check --solution in Docker beside plain vitest run (median of ${runs})`);
  console.log('lab | check in Docker | plain vitest run | ratio');
  for (const r of rows) console.log(r.join(' | '));
  return rows;
}

/**
 * `watch lab-00` in Docker, off a terminal, in a throwaway copy of the course: the time from a save
 * to its result on screen, over `runs` saves that alternate the solution and the starter, beside a
 * fresh `check` of the same files in the same run (the bar: never slower than that).
 */
async function benchWatch(runs: number): Promise<string[][]> {
  const root = courseRoot();
  const course = mkdtempSync(join(tmpdir(), 'ailab-bench-watch-'));
  try {
    for (const part of ['labs/lab-00-warmup', 'fixtures', 'docker', 'package.json', 'package-lock.json']) cpSync(join(root, part), join(course, part), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(course, 'node_modules'));
    const lab = resolveLab('lab-00', course);
    const file = lab.manifest.files[0];
    const solution = readFileSync(join(lab.dir, 'solution', file));
    const starter = readFileSync(join(lab.dir, file));
    const child = execa(process.execPath, [join(root, 'runner/bin/ailab.mjs'), 'watch', 'lab-00', '--sandbox', 'docker'], { env: { AILAB_ROOT: course, NO_COLOR: '1', CI: 'true' }, reject: false, stdin: 'pipe' });
    let out = '';
    let seen = 0;
    let waiting: { pattern: RegExp; resolve: () => void } | undefined;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      // A result is a summary line after the separator; "running N checks" lines are not results.
      const results = out.split('─'.repeat(60)).filter((part) => /^\n[✓✗] lab-00 {2}\d+\/\d+/.test(part));
      if (waiting && results.length > seen && waiting.pattern.test(results.at(-1) ?? '')) {
        seen = results.length;
        waiting.resolve();
      }
    });
    const until = (pattern: RegExp) =>
      Promise.race([
        new Promise<void>((resolve) => (waiting = { pattern, resolve })),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`watch showed no result matching ${pattern}:\n${out.slice(-2000)}`)), 120_000).unref()),
      ]);
    await until(/ 0\/100 /);
    const times: number[] = [];
    for (let i = 0; i < runs * 2; i++) {
      const full = i % 2 === 0;
      const t = performance.now();
      writeFileSync(join(lab.dir, file), full ? solution : starter);
      await until(full ? / 100\/100 / : / 0\/100 /);
      times.push(performance.now() - t);
    }
    child.stdin?.write('q\n');
    await child;
    const check = async () => {
      const t = performance.now();
      const run = await execa(process.execPath, [join(root, 'runner/bin/ailab.mjs'), 'check', 'lab-00', '--sandbox', 'docker'], { reject: false, env: { AILAB_ROOT: course, CI: 'true', NO_COLOR: '1' } });
      if (run.exitCode === 3) throw new Error(`check lab-00 failed: ${run.stderr.slice(-2000)}`);
      return performance.now() - t;
    };
    await check();
    const fresh: number[] = [];
    for (let i = 0; i < runs; i++) fresh.push(await check());
    const rows = [['lab-00', `${(median(times) / 1000).toFixed(2)} s`, `${(Math.max(...times) / 1000).toFixed(2)} s`, `${(median(fresh) / 1000).toFixed(2)} s`, `${(median(times) / median(fresh)).toFixed(2)}×`]];
    console.log(`\nwatch in Docker: a save to its result on screen (median and worst of ${times.length} saves) beside a fresh check (median of ${runs})`);
    console.log('lab | save to screen | worst | fresh check | ratio');
    for (const r of rows) console.log(r.join(' | '));
    return rows;
  } finally {
    rmSync(course, { recursive: true, force: true });
  }
}

/** Grades a generated 40-student lab-00 class with --jobs 1, 2 and the core count, in one run. */
async function benchGrade(): Promise<void> {
  const root = courseRoot();
  const work = mkdtempSync(join(tmpdir(), 'ailab-bench-grade-'));
  try {
    const klass = join(work, 'class');
    const members = await makeClass('lab-00', klass, 40);
    const rows: string[][] = [];
    let single = 0;
    for (const jobs of [...new Set([1, 2, cpus().length])]) {
      const out = join(work, `out-${jobs}`);
      const t = performance.now();
      const run = await execa(process.execPath, [join(root, 'runner/bin/ailab.mjs'), 'grade', 'lab-00', klass, '--out', out, '--jobs', String(jobs)], { reject: false, env: { CI: 'true', NO_COLOR: '1' } });
      if (run.exitCode !== 0) throw new Error(`grade --jobs ${jobs} failed: ${run.stderr}`);
      const wall = performance.now() - t;
      const sandboxMs = readdirSync(join(out, 'results')).map((f) => JSON.parse(readFileSync(join(out, 'results', f), 'utf8')).sandbox.durationMs as number);
      const sum = sandboxMs.reduce((a, b) => a + b, 0);
      if (jobs === 1) single = wall;
      rows.push([
        `--jobs ${jobs}`,
        `${((60_000 * members.length) / wall).toFixed(1)}/min`,
        jobs === 1 ? '1.00×' : `${(single / wall).toFixed(2)}×`,
        `${((sum / jobs / wall) * 100).toFixed(0)}%`,
        `${((wall * jobs - sum) / members.length / 1000).toFixed(2)} s`,
      ]);
    }
    console.log('\ngrading 40 lab-00 submissions');
    const head = ['jobs', 'throughput', 'speed-up vs --jobs 1', 'ideal share (Σ sandbox time ÷ jobs ÷ wall)', 'overhead per submission outside the sandbox'];
    console.log(head.join(' | '));
    for (const r of rows) console.log(r.join(' | '));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Grades a generated 40-student lab-00 class on one Docker host (--jobs 2) and on two (this
 * machine's daemon and `second`, --jobs 1 each: the same 2 slots on the same cores), in one run.
 * Two daemons on one machine gain no speed; what this shows is the queue's cost per submission.
 */
async function benchHosts(second: string): Promise<void> {
  const root = courseRoot();
  const local = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  const work = mkdtempSync(join(tmpdir(), 'ailab-bench-hosts-'));
  try {
    const klass = join(work, 'class');
    const members = await makeClass('lab-00', klass, 40);
    const rows: string[][] = [];
    let single = 0;
    for (const [name, hosts, jobs] of [['one host, --jobs 2', [local], 2], ['two hosts, --jobs 1 each', [local, second], 1]] as const) {
      const out = join(work, `out-${hosts.length}`);
      // The image on every host before the clock starts: this measures grading, not a build.
      const warm = await execa(process.execPath, [join(root, 'runner/bin/ailab.mjs'), 'grade', 'lab-00', klass, '--out', join(work, `warm-${hosts.length}`), '--only', members[0].student, ...hosts.flatMap((h) => ['--docker-host', h])], { reject: false, env: { CI: 'true', NO_COLOR: '1' } });
      if (warm.exitCode !== 0) throw new Error(`grade on ${hosts.join(' and ')} failed: ${warm.stderr}`);
      const t = performance.now();
      const run = await execa(process.execPath, [join(root, 'runner/bin/ailab.mjs'), 'grade', 'lab-00', klass, '--out', out, '--jobs', String(jobs), ...hosts.flatMap((h) => ['--docker-host', h])], { reject: false, env: { CI: 'true', NO_COLOR: '1' } });
      if (run.exitCode !== 0) throw new Error(`grade on ${hosts.join(' and ')} failed: ${run.stderr}`);
      const wall = performance.now() - t;
      const results = readdirSync(join(out, 'results')).map((f) => JSON.parse(readFileSync(join(out, 'results', f), 'utf8')).sandbox as { durationMs: number; host?: string });
      const sum = results.reduce((a, r) => a + r.durationMs, 0);
      const slots = hosts.length * jobs;
      if (hosts.length === 1) single = wall;
      const split = hosts.map((h) => results.filter((r) => r.host === h).length).join(' + ');
      rows.push([name, `${((60_000 * members.length) / wall).toFixed(1)}/min`, hosts.length === 1 ? '1.00×' : `${(single / wall).toFixed(2)}×`, split, `${((wall * slots - sum) / members.length / 1000).toFixed(2)} s`]);
    }
    console.log('\ngrading 40 lab-00 submissions over Docker hosts (both on this machine)');
    console.log(['hosts', 'throughput', 'vs one host', 'students per host', 'overhead per submission outside the sandbox'].join(' | '));
    for (const r of rows) console.log(r.join(' | '));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'skip-cold': { type: 'boolean' }, 'skip-grade': { type: 'boolean' }, 'runner-only': { type: 'boolean' }, 'boundary-only': { type: 'boolean' }, 'watch-only': { type: 'boolean' }, 'hosts-only': { type: 'string' }, labs: { type: 'string' }, runs: { type: 'string' } } });
  const runs = Number(values.runs ?? 5);
  const root = courseRoot();
  const docker = dockerClient();
  await requireDocker(docker);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`);
  if (values['hosts-only'] !== undefined) {
    await benchHosts(values['hosts-only']);
    return;
  }
  if (values['watch-only']) {
    await ensureImage(docker, { root, onProgress: (s) => console.log(`  ${s}`) });
    await benchWatch(runs);
    return;
  }
  if (values['boundary-only']) {
    await ensureImage(docker, { root, onProgress: (s) => console.log(`  ${s}`) });
    await benchBoundary(runs, values.labs ? values.labs.split(',') : listLabDirs(root).map((d) => d.slice(0, 6)));
    return;
  }
  const rows: [string, string][] = [];
  if (!values['skip-cold']) {
    const tag = imageTag(root, defaultImageMode());
    await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    const t = performance.now();
    await buildImage(docker, { root, reuse: 'never', onProgress: (s) => console.log(`  build: ${s}`) });
    rows.push(['cold offline image build', `${((performance.now() - t) / 1000).toFixed(1)} s (target ≤ 60 s)`]);
  }
  const image = await ensureImage(docker, { root, onProgress: (s) => console.log(`  ${s}`) });
  const bare = await timeChecks(new LocalSandbox(), runs);
  const boxed = await timeChecks(new DockerSandbox(docker, image), runs);
  rows.push(['check lab-00, bare on the host (median)', `${(median(bare) / 1000).toFixed(2)} s`]);
  rows.push(['check lab-00, warm Docker sandbox (median)', `${(median(boxed) / 1000).toFixed(2)} s`]);
  rows.push(['Docker / bare', `${(median(boxed) / median(bare)).toFixed(2)}× (target ≤ 1.5×)`]);
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n${'measure'.padEnd(w)}  result\n${'-'.repeat(w)}  ------`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  await benchBoundary(runs, listLabDirs(root).map((d) => d.slice(0, 6)));
  await benchWatch(runs);
  if (!values['skip-grade']) await benchGrade();
  if (values['runner-only']) return;
  const failed: string[] = [];
  for (const name of listLabDirs(root)) {
    const bench = join(root, 'labs', name, 'bench.ts');
    if (!existsSync(bench)) continue;
    console.log(`\n== ${name} (labs/${name}/bench.ts --solution)`);
    // The course's numbers are the reference solution's; a learner runs a lab's bench.ts without --solution.
    const run = await execa(process.execPath, ['--import', 'tsx', bench, '--solution'], { cwd: root, stdio: 'inherit', reject: false });
    if (run.exitCode !== 0) failed.push(name);
  }
  if (failed.length > 0) {
    console.error(`\nbench failed for ${failed.join(', ')} (see above)`);
    process.exitCode = 1;
  }
}

await main();
