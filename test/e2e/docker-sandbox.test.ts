import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureImage } from '../../runner/image/ensure.ts';
import { LimitsSchema } from '../../runner/lab/schema.ts';
import { dockerClient } from '../../runner/sandbox/docker-client.ts';
import { DockerSandbox, LEARNER_UID } from '../../runner/sandbox/docker.ts';
import { RecoveringSandbox, RUN_LABEL } from '../../runner/sandbox/recover.ts';
import type { RunSpec, Sandbox } from '../../runner/sandbox/types.ts';
import { ROOT } from '../helpers/cli.ts';
import { containersUnder } from '../helpers/hostile.ts';

const docker = dockerClient();
let sandbox: DockerSandbox;
let runDir = '';
// Other ailab runs may share the daemon; count only this file's containers.
const RUN_ID = `docker-sandbox-${process.pid}`;

beforeAll(async () => {
  const image = await ensureImage(docker, { root: ROOT, onProgress: () => {} });
  sandbox = new DockerSandbox(docker, image);
  runDir = mkdtempSync(join(tmpdir(), 'ailab-sb-'));
  chmodSync(runDir, 0o755); // the sandbox user must be able to enter it
});
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

/** Runs a Node script inside the hardened container. */
function script(code: string, limits: Record<string, number> = {}): RunSpec {
  writeFileSync(join(runDir, 'probe.mjs'), code, { mode: 0o644 });
  return { runDir, workdir: '.', args: ({ root }) => [`${root}/probe.mjs`], env: { SECRET_FROM_SPEC: 'x' }, stdin: 'the-nonce', limits: LimitsSchema.parse({ timeout_s: 20, ...limits }), labels: { 'ailab.test': RUN_ID } };
}

async function leftovers(): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: ['ailab=1', `ailab.test=${RUN_ID}`] } })).length;
}

describe('docker sandbox', () => {
  test('the container is locked down: no network but lo, non-root, no capabilities, read-only root, writable /tmp, a 1 MB /dev/shm', async () => {
    const out = await sandbox.run(
      script(`
        import fs from 'node:fs';
        import os from 'node:os';
        import { spawnSync } from 'node:child_process';
        const status = fs.readFileSync('/proc/self/status', 'utf8');
        const field = (k) => status.split('\\n').find((l) => l.startsWith(k + ':')).split(/\\s+/)[1];
        // The run tree: its own volume, which not even root here can write (no DAC_OVERRIDE, not the owner).
        let rootWritable = true;
        try { fs.writeFileSync('/lab/x', 'x'); } catch { rootWritable = false; }
        try { fs.writeFileSync('/lab/probe.mjs', 'x'); rootWritable = true; } catch {}
        let usrWritable = true;
        try { fs.writeFileSync('/usr/x', 'x'); } catch { usrWritable = false; }
        fs.writeFileSync('/tmp/ok', 'ok');
        const shm = fs.readFileSync('/proc/self/mounts', 'utf8').split('\\n').find((l) => l.split(' ')[1] === '/dev/shm') ?? '';
        console.log(JSON.stringify({
          shmSize: /size=(\\w+)/.exec(shm)?.[1],
          nameservers: fs.readFileSync('/etc/resolv.conf', 'utf8').split('\\n').filter((l) => l.startsWith('nameserver')),
          interfaces: Object.keys(os.networkInterfaces()).sort(),
          uid: process.getuid(), capEff: field('CapEff'), noNewPrivs: field('NoNewPrivs'),
          rootWritable, usrWritable, tmp: fs.readFileSync('/tmp/ok', 'utf8'),
          stdin: fs.readFileSync(0, 'utf8').trim(),
          envKeys: Object.keys(process.env).sort(),
          // What the learner process gets: the uid the checks' side starts it as.
          learner: JSON.parse(spawnSync(process.execPath, ['-e', "const s = require('fs').readFileSync('/proc/self/status', 'utf8'); const f = (k) => s.split(k + ':')[1].trim().slice(0, 16); console.log(JSON.stringify({ uid: process.getuid(), capEff: f('CapEff'), capPrm: f('CapPrm') }))"], { uid: Number(process.env.AILAB_LEARNER_UID), gid: Number(process.env.AILAB_LEARNER_UID), encoding: 'utf8' }).stdout || '{}'),
        }));
      `),
    );
    expect(out.exitCode, out.stderr).toBe(0);
    const seen = JSON.parse(out.stdout.trim());
    // The checks' side: root with SETUID, SETGID, KILL and DAC_READ_SEARCH only (bits 7, 6, 5 and 2: 0xe4).
    expect(seen).toMatchObject({ interfaces: ['lo'], uid: 0, capEff: '00000000000000e4', noNewPrivs: '1', rootWritable: false, usrWritable: false, tmp: 'ok', stdin: 'the-nonce', shmSize: '1024k' });
    // No host nameserver shows: none at all, or only loopback, where nothing answers.
    expect(seen.nameservers.filter((l: string) => l.trim() !== 'nameserver 127.0.0.1')).toEqual([]);
    // The learner process: another user, with no capability at all.
    expect(seen.learner).toEqual({ uid: LEARNER_UID, capEff: '0000000000000000', capPrm: '0000000000000000' });
    expect(seen.envKeys).not.toContain('HF_TOKEN');
    expect(seen.envKeys).not.toContain('DOCKER_HOST');
    expect(seen.envKeys.filter((k: string) => !['PATH', 'HOME', 'HOSTNAME', 'SECRET_FROM_SPEC', 'AILAB_LEARNER_UID'].includes(k))).toEqual([]);
    expect(await leftovers()).toBe(0);
  });

  test('a host listener on loopback is unreachable from inside', async () => {
    const { createServer } = await import('node:net');
    const server = createServer((s) => s.end('hello')).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const out = await sandbox.run(
        script(`
          import net from 'node:net';
          const s = net.connect(${port}, '127.0.0.1');
          s.on('connect', () => { console.log('CONNECTED'); process.exit(0); });
          s.on('error', (e) => { console.log('BLOCKED ' + e.code); process.exit(0); });
        `),
      );
      // Inside the container 127.0.0.1 is the container's own loopback, so the host's port is not there.
      expect(out.stdout).toMatch(/^BLOCKED (ECONNREFUSED|ENETUNREACH|EHOSTUNREACH)/);
    } finally {
      server.close();
    }
  });

  test('memory is capped and an OOM kill is reported', async () => {
    const out = await sandbox.run(script(`const keep = []; for (;;) keep.push(Buffer.alloc(8 * 1024 * 1024, 1));`, { memory_mb: 128 }));
    expect(out.oomKilled || out.exitCode === 137).toBe(true);
    expect(out.timedOut).toBe(false);
    expect(await leftovers()).toBe(0);
  });

  test('a busy loop is killed at the wall-clock limit and the container removed', async () => {
    const started = Date.now();
    const out = await sandbox.run(script('for (;;) {}', { timeout_s: 2 }));
    expect(out.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await leftovers()).toBe(0);
  });

  test('the wall clock runs from the test runner\'s start: a slow start does not count, a busy loop after it is killed', async () => {
    const started = (onLine: (line: string) => void): Pick<RunSpec, 'started' | 'interceptStdout'> => {
      let onStart!: () => void;
      return {
        started: new Promise<void>((resolve) => (onStart = resolve)),
        interceptStdout: (line) => {
          if (line === 'STARTED') onStart();
          onLine(line);
          return false;
        },
      };
    };
    const slow = await sandbox.run({ ...script("setTimeout(() => { console.log('STARTED'); setTimeout(() => {}, 300); }, 2500);", { timeout_s: 2 }), ...started(() => {}) });
    expect(slow.timedOut).toBe(false);
    expect(slow.exitCode).toBe(0);
    const busy = await sandbox.run({ ...script("console.log('STARTED'); for (;;) {}", { timeout_s: 2 }), ...started(() => {}) });
    expect(busy.timedOut).toBe(true);
    expect(await leftovers()).toBe(0);
  });

  test('output floods are capped', async () => {
    const out = await sandbox.run(script(`const line = 'x'.repeat(1023) + '\\n'; for (let i = 0; i < 20000; i++) process.stdout.write(line);`, { output_kb: 16 }));
    expect(out.stdout.length).toBeLessThan(17 * 1024 + 200);
    expect(out.stdout).toContain('[ailab: output capped at 16 KB;');
  });

  test('an aborted run kills and removes its container', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 1500);
    await expect(sandbox.run(script('setInterval(() => {}, 1000);', { timeout_s: 60 }), controller.signal)).rejects.toThrow('user pressed Ctrl-C');
    expect(await leftovers()).toBe(0);
  });
});

test('Ctrl-C during a check exits 130 and leaves no container running', async () => {
  const { ailab } = await import('../helpers/cli.ts');
  // Its own TMPDIR, so its containers (whose run tree is mounted from there) are told apart from
  // those of e2e files running beside it.
  const tmp = mkdtempSync(join(tmpdir(), 'ailab-ctrl-c-'));
  const run = ailab(['check', 'lab-00', '--sandbox', 'docker', '--submission', join(ROOT, 'fixtures/submissions/lab-00/timeout/infinite-loop')], { env: { TMPDIR: tmp } });
  const mine = () => containersUnder(docker, `${tmp}/`);
  const deadline = Date.now() + 60_000;
  while ((await mine()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect((await mine()).length, 'the check never started a container').toBeGreaterThan(0);
  run.kill('SIGINT');
  const result = await run;
  expect(result.exitCode).toBe(130);
  expect(result.stderr).toContain('Interrupted.');
  expect(await mine()).toEqual([]);
  rmSync(tmp, { recursive: true, force: true });
});

describe('RecoveringSandbox.sweep', () => {
  test("removes the containers this process's runs left behind (a removal lost to a daemon restart), and never another process's", async () => {
    const image = sandbox.image;
    // The inner layer stands in for a run whose container removal was lost: it creates a real,
    // labelled container and leaves it, as a run cut by a daemon restart can.
    const leaky: Sandbox = {
      kind: 'docker',
      image,
      async run(spec) {
        const c = await docker.createContainer({ Image: image, Cmd: ['node', '-e', '0'], Labels: { ailab: '1', 'ailab.test': RUN_ID, ...spec.labels } });
        return { kind: 'docker', image, exitCode: 0, timedOut: false, oomKilled: false, durationMs: 1, stdout: c.id, stderr: '' };
      },
    };
    const recovering = new RecoveringSandbox(leaky, docker);
    await recovering.run(script('0'));
    await recovering.run(script('0'));
    const other = await docker.createContainer({ Image: image, Cmd: ['node', '-e', '0'], Labels: { ailab: '1', 'ailab.test': RUN_ID, [RUN_LABEL]: 'another-process-run' } });
    expect(await leftovers()).toBe(3);
    await recovering.sweep();
    const left = await docker.listContainers({ all: true, filters: { label: ['ailab=1', `ailab.test=${RUN_ID}`] } });
    expect(left.map((c) => c.Id)).toEqual([other.id]);
    await other.remove({ force: true });
  });
});
