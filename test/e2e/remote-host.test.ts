// Issue #18, item 1: a Docker host that is not this machine. The daemon here runs in a mount
// namespace of its own with an empty tmpfs over /tmp, and listens on TCP on 127.0.0.1, so it sees
// none of the run trees this machine stages, exactly as a remote host couldn't: every run must put
// its files into the container through the Engine API. It also builds the sandbox image itself,
// through the API, as it would on a host of its own.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeClass, type ClassMember } from '../../fixtures/classes/make-class.ts';
import { ResultsSchema, type Results } from '../../runner/results/schema.ts';
import { ailab } from '../helpers/cli.ts';
import { mountTmpfs } from '../helpers/mounts.ts';
import { PrivateDockerd } from '../helpers/private-dockerd.ts';
import { PrivateSshd } from '../helpers/sshd.ts';
import { gradebookRows } from '../helpers/results.ts';

const daemon = new PrivateDockerd({ remote: true });
const here = mkdtempSync(join(tmpdir(), 'ailab-remote-'));

beforeAll(async () => {
  await daemon.start();
}, 120_000);
afterAll(async () => {
  await daemon.destroy();
  rmSync(here, { recursive: true, force: true });
}, 60_000);

/** This machine's own daemon, as a host URL. */
const LOCAL = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';

/** Every results/*.json of a grade folder, validated. */
function resultsIn(out: string): Map<string, Results> {
  const dir = join(out, 'results');
  if (!existsSync(dir)) return new Map();
  return new Map(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => [f.slice(0, -5), ResultsSchema.parse(JSON.parse(readFileSync(join(dir, f), 'utf8')))]));
}

/** `ailab` with the private daemon as its Docker host. */
const onRemote = (args: string[]) => ailab(args, { env: { DOCKER_HOST: daemon.host } });

describe.runIf(process.getuid?.() === 0)('a Docker host that cannot see this machine\'s files', () => {
  test('the daemon really is apart: a folder of this machine\'s temp files is empty inside its containers', async () => {
    writeFileSync(join(here, 'marker'), 'here');
    const { stdout } = await onRemote(['image', 'build']);
    expect(stdout).toContain('ailab-sandbox:');
    const image = /ailab-sandbox:\w+/.exec(stdout)![0];
    const container = await daemon.docker.createContainer({ Image: image, Cmd: ['node', '-e', `console.log(JSON.stringify(require('fs').readdirSync(${JSON.stringify(here)})))`], HostConfig: { Binds: [`${here}:${here}:ro`], NetworkMode: 'none' } });
    try {
      await container.start();
      await container.wait();
      const logs = (await container.logs({ stdout: true })).toString('utf8');
      expect(logs).toContain('[]');
      expect(logs).not.toContain('marker');
    } finally {
      await container.remove({ force: true });
    }
  });

  test('check scores the solution 100 and the starter as it does on this machine', async () => {
    const solution = await onRemote(['check', 'lab-00', '--solution', '--sandbox', 'docker', '--json']);
    expect(solution.exitCode, solution.stderr).toBe(0);
    const solved = ResultsSchema.parse(JSON.parse(solution.stdout));
    expect(solved.score).toBe(solved.maxScore);
    expect(solved.sandbox.kind).toBe('docker');
    const starter = await onRemote(['check', 'lab-00', '--submission', 'labs/lab-00-warmup', '--sandbox', 'docker', '--json']);
    expect(starter.exitCode, starter.stderr).toBe(1);
    expect(ResultsSchema.parse(JSON.parse(starter.stdout)).score).toBe(0);
    // No container and no volume of these runs is left on the host.
    expect(await daemon.docker.listContainers({ all: true, filters: { label: ['ailab=1'] } })).toEqual([]);
    expect((await daemon.docker.listVolumes()).Volumes ?? []).toEqual([]);
  });
});

describe.runIf(process.getuid?.() === 0)('grade over two Docker hosts (this machine\'s daemon and the one apart)', () => {
  let klass = '';
  let expected: ClassMember[] = [];
  const rows = () => expected.map((m) => `${m.student},${m.status},${m.score}`);
  beforeAll(async () => {
    klass = join(here, 'class');
    expected = await makeClass('lab-00', klass, 12);
  }, 120_000);

  test('one queue: both hosts grade students, each result names its host, and the gradebook is exact', async () => {
    const out = join(here, 'two-hosts');
    const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '1', '--docker-host', LOCAL, '--docker-host', daemon.host]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(gradebookRows(out)).toEqual(rows());
    const hosts = [...resultsIn(out).values()].map((r) => r.sandbox.host);
    expect(new Set(hosts)).toEqual(new Set([LOCAL, daemon.host]));
    expect(run.stdout).toMatch(new RegExp(`hosts:\\n {2}${LOCAL.replace(/[/.]/g, '\\$&')} {2}graded \\d+ student\\(s\\)`));
    expect(run.stdout).toContain(`  ${daemon.host}  graded `);
  });

  test('a host that does not answer drops out at the start, with a warning, and the other grades the class', async () => {
    const out = join(here, 'one-answers');
    const gone = 'tcp://127.0.0.1:1';
    const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '2', '--docker-host', gone, '--docker-host', LOCAL]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: a Docker host drops out before the batch starts: no Docker daemon answers at ${gone}`);
    expect(gradebookRows(out)).toEqual(rows());
    expect(new Set([...resultsIn(out).values()].map((r) => r.sandbox.host))).toEqual(new Set([LOCAL]));
  });

  test('a host whose sandbox image cannot be built drops out with the reason, and the other grades the class', async () => {
    // A daemon whose disk is a 48 MB tmpfs: the image (about 200 MB) cannot be imported there.
    const full = new PrivateDockerd({ remote: true });
    mountTmpfs(join(full.dir, 'data'), 48 * 1024 * 1024);
    try {
      await full.start();
      const out = join(here, 'one-builds');
      const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '2', '--docker-host', LOCAL, '--docker-host', full.host]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).toContain(`warning: a Docker host drops out before the batch starts: ${full.host}: Building the offline sandbox image failed`);
      expect(gradebookRows(out)).toEqual(rows());
      expect(new Set([...resultsIn(out).values()].map((r) => r.sandbox.host))).toEqual(new Set([LOCAL]));
    } finally {
      await full.destroy();
    }
  });

  test('a host killed mid-batch hands its students to the other: every student graded once, nothing lost', async () => {
    const out = join(here, 'host-dies');
    const run = ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '1', '--docker-host', LOCAL, '--docker-host', daemon.host]);
    let finished = false;
    void run.then(() => (finished = true));
    // Kill the second host once it has graded a student, while the batch goes on.
    while (!finished && ![...resultsIn(out).values()].some((r) => r.sandbox.host === daemon.host)) await new Promise((r) => setTimeout(r, 50));
    expect(finished, 'the batch ended before the second host could be killed').toBe(false);
    await daemon.kill('SIGKILL');
    const done = await run;
    expect(done.exitCode, done.stderr).toBe(0);
    const results = resultsIn(out);
    expect([...results.keys()].sort()).toEqual(expected.map((m) => m.student).sort());
    expect(readdirSync(join(out, 'results')).length, 'one file per student').toBe(expected.length);
    for (const r of results.values()) expect(r.sandbox.failure).toBeUndefined();
    expect(gradebookRows(out)).toEqual(rows());
    expect(done.stderr).toContain(`the Docker host ${daemon.host}`);
    // Its in-flight student went to the other host; whether it was also dropped depends on how many
    // more runs it was offered before the batch ended (the unit tests hold the drop rule).
    expect(done.stdout).toContain(`  ${daemon.host}  graded `);
  });
});

describe.runIf(process.getuid?.() === 0)('a Docker host over TCP with TLS (client certificates, as Docker documents)', () => {
  const tls = new PrivateDockerd({ remote: true, tls: true });
  beforeAll(() => tls.start(), 120_000);
  afterAll(() => tls.destroy(), 60_000);

  test('check finds the certificates through DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker CLI does', async () => {
    const run = await ailab(['check', 'lab-00', '--solution', '--sandbox', 'docker', '--json'], { env: { DOCKER_HOST: tls.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.certDir } });
    expect(run.exitCode, run.stderr).toBe(0);
    const r = ResultsSchema.parse(JSON.parse(run.stdout));
    expect(r.score).toBe(r.maxScore);
  });

  test('grade --hosts takes each host\'s TLS files from the hosts file; without them the host drops out', async () => {
    const klass = join(here, 'tls-class');
    const members = await makeClass('lab-00', klass, 3);
    const file = join(here, 'hosts.yaml');
    writeFileSync(file, `hosts:\n  - url: ${tls.host}\n    jobs: 2\n    tls: { ca: ${join(tls.certDir, 'ca.pem')}, cert: ${join(tls.certDir, 'cert.pem')}, key: ${join(tls.certDir, 'key.pem')} }\n`);
    const out = join(here, 'tls-grades');
    const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--hosts', file]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(gradebookRows(out)).toEqual(members.map((m) => `${m.student},${m.status},${m.score}`));
    expect(new Set([...resultsIn(out).values()].map((r) => r.sandbox.host))).toEqual(new Set([tls.host]));
    // The same host without its certificates: plain HTTP to a TLS port gets no answer, so no host is left.
    const plain = await ailab(['grade', 'lab-00', klass, '--out', join(here, 'tls-none'), '--docker-host', tls.host]);
    expect(plain.exitCode).toBe(3);
    expect(plain.stderr).toContain(`no Docker daemon answers at ${tls.host}`);
    expect(plain.stderr).toContain('No Docker host could be used');
  });
});

describe.runIf(process.getuid?.() === 0)('a Docker host over ssh:// (keys from an ssh-agent, as the docker CLI uses them)', () => {
  const sshd = new PrivateSshd();
  beforeAll(() => sshd.start(), 60_000);
  afterAll(() => sshd.stop());

  test('grade --docker-host ssh://root@127.0.0.1:PORT grades a class through the tunnel', async () => {
    const klass = join(here, 'ssh-class');
    const members = await makeClass('lab-00', klass, 2);
    const out = join(here, 'ssh-grades');
    const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '1', '--docker-host', sshd.url], { env: sshd.env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(gradebookRows(out)).toEqual(members.map((m) => `${m.student},${m.status},${m.score}`));
    expect(new Set([...resultsIn(out).values()].map((r) => r.sandbox.host))).toEqual(new Set([sshd.url]));
  });
});
