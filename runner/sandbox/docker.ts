import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { SandboxError } from '../core/errors.ts';
import { mark } from '../core/timings.ts';
import { type Deadline, startDeadline } from './deadline.ts';
import { OutputSink } from './output.ts';
import type { Outcome, RunSpec, Sandbox } from './types.ts';

/** Where the run tree is mounted inside the container. */
export const CONTAINER_ROOT = '/lab';

/** The run tree file that replaces the container's /etc/resolv.conf: the sandbox has no DNS. */
const RESOLV_CONF = '.resolv.conf';

/**
 * The user id learner code runs as: never the owner of the run tree (whose checks, hidden fixtures
 * and harness are readable by their owner only), never root.
 */
export function learnerUid(owner = process.getuid?.() ?? 0): number {
  return owner === 1000 ? 1001 : 1000;
}

/** The locked-down HostConfig every run gets: no network, read-only root, no capabilities. */
export function hardenedHostConfig(spec: Pick<RunSpec, 'runDir' | 'limits'>): Docker.HostConfig {
  const memory = spec.limits.memory_mb * 1024 * 1024;
  return {
    NetworkMode: 'none',
    Memory: memory,
    MemorySwap: memory, // equal to Memory: no swap
    NanoCpus: Math.round(spec.limits.cpus * 1e9),
    PidsLimit: spec.limits.pids,
    ReadonlyRootfs: true,
    Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=128m' },
    // node never uses /dev/shm; keep it private and too small to be a second scratch disk.
    IpcMode: 'private',
    ShmSize: 1024 * 1024,
    CapDrop: ['ALL'],
    // The checks' side runs as root with only these: start the learner process as another user
    // (SETUID, SETGID), stop it (KILL), and read the run tree whoever owns it (DAC_READ_SEARCH).
    // The learner process has none of them: a change of user clears every capability.
    CapAdd: ['SETUID', 'SETGID', 'KILL', 'DAC_READ_SEARCH'],
    SecurityOpt: ['no-new-privileges'],
    Init: true,
    // Docker writes the host's nameservers into /etc/resolv.conf even with no network; show none.
    Binds: [`${spec.runDir}:${CONTAINER_ROOT}:ro`, `${join(spec.runDir, RESOLV_CONF)}:/etc/resolv.conf:ro`],
    Ulimits: [
      { Name: 'nofile', Soft: 1024, Hard: 1024 },
      { Name: 'fsize', Soft: 64 * 1024 * 1024, Hard: 64 * 1024 * 1024 },
    ],
    AutoRemove: false,
  };
}

/**
 * A hardened container for a run tree (spec.runDir, mounted read-only at /lab) that runs `node`
 * with `args` as root, attached to stdin, stdout and stderr. Writes the tree's /etc/resolv.conf.
 */
export function containerOptions(image: string, spec: Pick<RunSpec, 'runDir' | 'workdir' | 'env' | 'labels' | 'limits'>, args: string[]): Docker.ContainerCreateOptions {
  writeFileSync(join(spec.runDir, RESOLV_CONF), '# The ailab sandbox has no network and no DNS.\n', { mode: 0o644 });
  return {
    Image: image,
    Cmd: ['node', ...args],
    WorkingDir: `${CONTAINER_ROOT}/${spec.workdir}`,
    Env: Object.entries({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', ...spec.env, AILAB_LEARNER_UID: String(learnerUid()) }).map(([k, v]) => `${k}=${v}`),
    User: '0:0',
    Labels: { ailab: '1', ...spec.labels },
    NetworkDisabled: true,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: hardenedHostConfig(spec),
  };
}

/**
 * Attaches to a created container's stdin, stdout and stderr: each output chunk goes to its
 * callback, and `ended` settles when the attach stream ends (the container stopped, or the daemon
 * went away).
 */
export async function attachStreams(container: Docker.Container, onStdout: (chunk: Buffer) => void, onStderr: (chunk: Buffer) => void): Promise<{ stream: NodeJS.ReadWriteStream; ended: Promise<void> }> {
  const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', onStdout);
  stderr.on('data', onStderr);
  container.modem.demuxStream(stream, stdout, stderr);
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  return { stream, ended };
}

/** Runs each spec in a fresh, hardened container that is always removed afterwards. */
export class DockerSandbox implements Sandbox {
  readonly kind = 'docker' as const;

  constructor(
    private readonly docker: Docker,
    readonly image: string,
  ) {}

  async run(spec: RunSpec, signal?: AbortSignal): Promise<Outcome> {
    const capBytes = spec.limits.output_kb * 1024;
    const out = new OutputSink(capBytes, spec.interceptStdout);
    const err = new OutputSink(capBytes);
    let container: Docker.Container | undefined;
    const started = Date.now();
    let deadline: Deadline | undefined;
    const kill = () => container?.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    const onAbort = () => void kill();
    try {
      if (signal?.aborted) throw signal.reason;
      container = await this.docker.createContainer(containerOptions(this.image, spec, spec.args({ nodeModules: '/node_modules', root: CONTAINER_ROOT })));
      mark('docker: created');
      signal?.addEventListener('abort', onAbort, { once: true });
      const { stream, ended } = await attachStreams(container, (c) => out.write(c), (c) => err.write(c));
      mark('docker: attached');
      await container.start();
      mark('docker: started');
      stream.write(`${spec.stdin}\n`);
      (stream as any).end?.();
      deadline = startDeadline(spec, () => void kill());
      const waited = (await container.wait()) as { StatusCode: number };
      mark('docker: exited');
      if (signal?.aborted) throw signal.reason;
      // The attach stream can trail the exit a little; give it a moment to flush.
      await Promise.race([ended, new Promise((r) => setTimeout(r, 1000))]);
      const state = (await container.inspect()).State;
      mark('docker: inspected');
      return {
        kind: 'docker',
        image: this.image,
        exitCode: waited.StatusCode ?? state.ExitCode ?? null,
        timedOut: deadline.timedOut,
        oomKilled: Boolean(state.OOMKilled),
        durationMs: Date.now() - started,
        stdout: out.text(),
        stderr: err.text(),
      };
    } catch (cause) {
      if (signal?.aborted) throw signal.reason ?? cause;
      throw new SandboxError('E_SANDBOX', `The Docker sandbox failed: ${(cause as Error).message}`, 'Check `docker info` and `npm run lab -- doctor`; the learner code was not graded.', { cause });
    } finally {
      deadline?.clear();
      signal?.removeEventListener('abort', onAbort);
      if (container) await container.remove({ force: true }).catch(() => undefined);
      mark('docker: removed');
    }
  }
}
