import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ResultsSchema, type Results } from '../../runner/results/schema.ts';
import { ailab, ROOT } from '../helpers/cli.ts';
import { containersUnder, fillIn, findFixtures, prepareFixture, processesWith, watchRun, type Fixture, type Golden } from '../helpers/hostile.ts';
import { gradebookRows } from '../helpers/results.ts';

// Every folder under fixtures/submissions/lab-00 with an expected.json runs through the real CLI,
// in each sandbox its golden allows; fixtures/submissions/README.md describes the golden fields.
const cases = findFixtures(join(ROOT, 'fixtures/submissions/lab-00'));
const docker = new Docker();
const secret = `ailab-e2e-secret-${randomBytes(12).toString('hex')}`;
const aliceMarker = `alice-only-${randomBytes(12).toString('hex')}`;
const hostMarker = `host-only-${randomBytes(12).toString('hex')}`;
let work = '';
let values: Record<string, string> = {};
const servers: Server[] = [];
let hostConnections = 0;
const prepared = new Map<string, string>();

/** Student id of a fixture in the class folder. */
const studentOf = (f: Fixture) => f.name.replace(/\//g, '-');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ailab-fixtures-'));
  mkdirSync(join(work, 'class'));
  // A listener on the host's loopback and an abstract unix socket: the network fixture must reach neither.
  const greet = (s: Socket) => {
    hostConnections++;
    s.on('error', () => {}).end('hello');
  };
  const tcp = createServer(greet).listen(0, '127.0.0.1');
  const abstract = `ailab-e2e-${randomBytes(6).toString('hex')}`;
  const unix = createServer(greet).listen(`\0${abstract}`);
  servers.push(tcp, unix);
  await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? r(null) : s.once('listening', r)))));
  writeFileSync(join(work, 'host-secret.txt'), hostMarker);
  values = {
    AILAB_HOST_PORT: String((tcp.address() as { port: number }).port),
    AILAB_HOST_ABSTRACT: abstract,
    AILAB_HOST_FILE: join(work, 'host-secret.txt'),
    AILAB_HOST_MARKER: hostMarker,
    AILAB_REPO: ROOT,
    AILAB_HOSTNAME: hostname(),
    AILAB_SECRET_HEX: Buffer.from(secret).toString('hex'),
    AILAB_OTHER_MARKER_HEX: Buffer.from(aliceMarker).toString('hex'),
  };
  // The good student of the class; its marker is on the host while every hostile fixture runs.
  cpSync(join(ROOT, 'fixtures/submissions/lab-00/pass'), join(work, 'class/alice'), { recursive: true });
  writeFileSync(join(work, 'class/alice/src/similarity.ts'), `// ${aliceMarker}\n${readFileSync(join(ROOT, 'fixtures/submissions/lab-00/pass/src/similarity.ts'), 'utf8')}`);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The fixture's submission in a temp folder (built once); class fixtures go straight into the class. */
async function preparedDir(f: Fixture): Promise<string> {
  if (!prepared.has(f.name)) {
    const target = join(work, f.golden.class ? 'class' : 'fixtures', studentOf(f));
    await prepareFixture(f, target, values);
    prepared.set(f.name, target);
  }
  return prepared.get(f.name)!;
}

/** At most `n` CLI runs at once: each is a container (one CPU) plus the CLI, and cores are few. */
function limiter(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active < n) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
const slot = limiter(3);

/**
 * Runs the CLI with the host's secrets in its environment while watching it from the host. Its
 * TMPDIR is a fresh folder, so its run trees, and the bind mounts of its containers, are under it:
 * that is how this run's containers are told apart from any other ailab run on the same daemon.
 */
async function runCli(args: string[], g: Golden, sandbox?: string) {
  const tmp = mkdtempSync(join(work, 'tmp-'));
  return slot(async () => {
    const started = Date.now();
    const child = ailab(args, { env: { TMPDIR: tmp, HF_TOKEN: secret, AILAB_E2E_HOST_SECRET: secret } });
    const watch = watchRun(child.pid!, { docker, prefix: `${tmp}/`, pids: sandbox === 'docker' && g.hitsPidsLimit, marker: g.noStrayProcess });
    const run = await child;
    const seen = await watch.stop();
    return { run, seen, seconds: (Date.now() - started) / 1000, leftovers: await containersUnder(docker, `${tmp}/`) };
  });
}

/** Asserts what a results object must show for a golden that is not a rejection. */
function expectResults(results: Results, g: Golden): void {
  if (g.status) expect([g.status].flat()).toContain(results.status);
  if (g.score !== undefined) expect(results.score).toBe(g.score);
  if (g.maxScore !== undefined) expect(results.score).toBeLessThanOrEqual(g.maxScore);
  for (const [id, status] of Object.entries(g.checks ?? {})) expect(results.checks.find((c) => c.id === id)?.status, id).toBe(status);
  if (g.everyCheck) for (const c of results.checks) expect(g.everyCheck, `${c.id}: ${c.message}`).toContain(c.status);
  const messages = results.checks.map((c) => c.message ?? '').join('\n');
  if (g.message) expect([g.message].flat().some((m) => messages.includes(m)), `no check message holds ${JSON.stringify(g.message)}:\n${messages.slice(0, 2000)}`).toBe(true);
  if (g.problem) expect(results.problems.join('\n')).toContain(g.problem);
  if (g.oomKilled !== undefined) expect(results.sandbox.oomKilled).toBe(g.oomKilled);
  for (const text of g.output ?? []) expect(results.output).toContain(fillIn(text, values));
  expect(results.output, 'an attack reported success').not.toContain('ATTACK SUCCEEDED');
}

/** Runs one fixture's submission in `dir` through `check` and holds the run to its golden. */
async function expectFixtureRun(lab: string, g: Golden, dir: string, sandbox: 'docker' | 'local'): Promise<void> {
  const args = ['check', lab, '--submission', dir, '--json', '--sandbox', sandbox];
  if (g.timeout_s) args.push('--timeout', String(g.timeout_s));
  if (g.test_timeout_s) args.push('--test-timeout', String(g.test_timeout_s));
  const { run, seen, seconds, leftovers } = await runCli(args, g, sandbox);
  if (g.rejected) {
    // Not gradable as given: a clean usage error with the reason, never a crash or a results object.
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`Cannot grade --submission ${dir}:`);
    expect(run.stderr).toContain(g.rejected);
    expect(run.stderr).not.toContain('This is a bug in ailab');
  } else {
    expect(run.exitCode, run.stderr).toBe(g.status === 'pass' ? 0 : 1);
    const results = ResultsSchema.parse(JSON.parse(run.stdout));
    expect(results.sandbox.kind).toBe(sandbox);
    expectResults(results, g);
    if (g.hitsPidsLimit && sandbox === 'docker' && /: the first child started/.test(results.output)) {
      // The bomb ran (its first child started: no refusal stopped it first), so it must have met the
      // pids limit. A time-out alone says nothing: a run slowed by a loaded machine can time out
      // after the import policy refused the bomb.
      expect(seen.peakPids, 'peak pids in the container').toBeGreaterThanOrEqual(results.sandbox.limits.pids - 2);
    }
    if (sandbox === 'local') expect(run.stderr).toContain('NOT isolated');
  }
  if (g.maxRssMb) expect(seen.peakRssMb, "the CLI's peak RSS, MB").toBeLessThan(g.maxRssMb);
  if (g.maxSeconds) expect(seconds).toBeLessThan(g.maxSeconds);
  if (g.noStrayProcess) {
    if (run.stdout.includes('started pid')) expect(seen.sawMarker, 'the detached child was never seen on the host').toBe(true);
    const strays = processesWith(g.noStrayProcess);
    for (const pid of strays) process.kill(pid, 'SIGKILL'); // a failure must not leave them running
    expect(strays, 'processes that outlived the run').toEqual([]);
  }
  expect(hostConnections, "connections that reached the host's listeners").toBe(0);
  expect(leftovers, 'containers left behind').toEqual([]);
}

describe.each(['docker', 'local'] as const)('lab-00 fixture submissions through the real CLI (%s sandbox)', (sandbox) => {
  test('there is a fixture for every outcome group and every attack', () => {
    const names = cases.map((c) => c.name);
    const attacks = ['big-file', 'binary-ts', 'busy-loop', 'detached-process', 'env-secrets', 'exit-early', 'fake-infra-death', 'fake-report', 'fork-bomb', 'host-paths', 'huge-500mb', 'loop-after-async', 'many-files', 'memory-bomb', 'network', 'node-modules', 'non-utf8-names', 'other-student', 'output-flood', 'symlink-dir', 'symlink-host', 'symlink-passwd', 'write-outside-tmp'];
    // The process boundary's attacks (issue 14): reading the checks, importing them, a denied import,
    // /proc and signals, forged RPC traffic, and memory exhausted during one check.
    const boundary = ['read-checks', 'import-check-module', 'import-denied-package', 'proc-reach', 'forged-rpc', 'memory-one-check'];
    expect(names).toEqual(expect.arrayContaining(['error/missing-export', 'error/syntax', 'fail/partial', 'pass', 'timeout/infinite-loop', 'timeout/one-check-hangs', ...[...attacks, ...boundary].map((a) => `hostile/${a}`)]));
  });

  // A rejected submission never reaches a sandbox, so it runs once, with the docker cases.
  const mine = cases.filter((c) => (c.golden.sandboxes ?? (c.golden.rejected ? ['docker'] : ['docker', 'local'])).includes(sandbox));
  test.concurrent.each(mine)('$name', async (fixture) => {
    await expectFixtureRun('lab-00', fixture.golden, await preparedDir(fixture), sandbox);
  });
});

// The other labs' fixtures: attacks that need a lab's own fixtures, packages or reference code.
const otherLabs = readdirSync(join(ROOT, 'fixtures/submissions')).filter((name) => /^lab-\d\d$/.test(name) && name !== 'lab-00');
describe.each(otherLabs.flatMap((lab) => (['docker', 'local'] as const).map((sandbox) => [lab, sandbox] as const)))('%s fixture submissions through the real CLI (%s sandbox)', (lab, sandbox) => {
  const mine = findFixtures(join(ROOT, 'fixtures/submissions', lab)).filter((c) => (c.golden.sandboxes ?? ['docker', 'local']).includes(sandbox));
  test.concurrent.each(mine)('$name', async (fixture) => {
    const dir = join(work, lab, `${studentOf(fixture)}-${sandbox}`);
    await prepareFixture(fixture, dir, values, join(ROOT, 'labs', readdirSync(join(ROOT, 'labs')).find((n) => n.startsWith(`${lab}-`))!));
    await expectFixtureRun(lab, fixture.golden, dir, sandbox);
  });
});

test('grade: bad and hostile submissions next to a good student each get their own result, and the batch goes on', async () => {
  const klass = join(work, 'class');
  const members = cases.filter((c) => c.golden.class);
  for (const f of members) await preparedDir(f);
  const archives: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'fixtures/classes/lab-00-hostile/expected.json'), 'utf8'));
  for (const file of Object.keys(archives)) cpSync(join(ROOT, 'fixtures/classes/lab-00-hostile', file), join(klass, file));
  const out = join(work, 'grades');
  const { run, seen, leftovers } = await runCli(['grade', 'lab-00', klass, '--out', out, '--jobs', '2'], {});
  expect(run.exitCode, run.stderr).toBe(0);
  const rows = gradebookRows(out);
  const expected = [
    'alice,pass,100',
    ...members.map((f) => (f.golden.rejected ? `${studentOf(f)},error,0` : `${studentOf(f)},${f.golden.status},${f.golden.score}`)),
    ...Object.keys(archives).map((file) => `${file.replace(/\.(zip|tar\.gz)$/, '')},error,0`),
  ];
  expect(rows.sort()).toEqual(expected.sort());
  const result = (student: string) => ResultsSchema.parse(JSON.parse(readFileSync(join(out, 'results', `${student}.json`), 'utf8')));
  for (const f of members) {
    if (f.golden.rejected) expect(result(studentOf(f)).problems.join('\n'), f.name).toContain(f.golden.rejected);
    else expectResults(result(studentOf(f)), f.golden);
  }
  for (const [file, reason] of Object.entries(archives)) expect(result(file.replace(/\.(zip|tar\.gz)$/, '')).problems.join('\n'), file).toContain(reason);
  expect(readdirSync(work).filter((n) => n.startsWith('escaped')), 'files written outside by an archive').toEqual([]);
  expect(seen.peakRssMb, "the CLI's peak RSS, MB").toBeLessThan(400);
  expect(leftovers, 'containers left behind').toEqual([]);
});

test('positive control: outside Docker the network probe does reach the host, so its "blocked" in Docker means something', async () => {
  const network = cases.find((c) => c.name === 'hostile/network')!;
  const dir = await preparedDir(network);
  const before = hostConnections;
  const { run } = await runCli(['check', 'lab-00', '--submission', dir, '--json', '--sandbox', 'local'], {});
  const results = ResultsSchema.parse(JSON.parse(run.stdout));
  expect(results.output).toContain(`hostile:network: ATTACK SUCCEEDED: the host's TCP listener on 127.0.0.1:${values.AILAB_HOST_PORT}`);
  expect(results.score).toBeLessThan(100); // a breach answers wrong on purpose
  expect(hostConnections).toBeGreaterThan(before);
});

test('the terminal report ends with the score and shows hints for failing checks', async () => {
  const run = await ailab(['check', 'lab-00', '--submission', join(ROOT, 'fixtures/submissions/lab-00/fail/partial')]);
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toContain('✗ topk-ties');
  expect(run.stdout).toContain('hint: Two items with the same score');
  expect(run.stdout).toContain('Hidden checks: 8 (70 points), 6 passed (55 points).');
  expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('Score: 85/100 (85%)');
  expect(run.stdout).not.toMatch(/\u001b\[/);
});

test('--reporter junit writes JUnit XML', async () => {
  const run = await ailab(['check', 'lab-00', '--solution', '--reporter', 'junit']);
  expect(run.exitCode).toBe(0);
  expect(run.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="lab-00" tests="11" failures="0" errors="0"/);
});
