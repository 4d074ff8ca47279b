import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-fs';
import { SandboxError } from '../core/errors.ts';
import { mark } from '../core/timings.ts';
import { type Deadline, startDeadline } from './deadline.ts';
import { OutputSink } from './output.ts';
import type { Outcome, RunSpec, Sandbox } from './types.ts';

/** Where the run tree is inside the container: a volume of the container's own, filled through the Engine API. */
export const CONTAINER_ROOT = '/lab';

/**
 * The owner of the run tree inside the container (and of /lab in the image, which a new volume
 * takes its owner from): neither the checks' side (root, with no capability to write others'
 * files) nor the learner, so no process in the container can change the tree. The checks' side
 * reads all of it (DAC_READ_SEARCH); the learner reads only what the tree's modes let anyone read,
 * never the checks, the hidden fixtures or the harness (mode 0700/0600).
 */
export const TREE_UID = 65534;

/** The label that holds, on each run's container, where its tree was staged on the machine that ran it. */
export const TREE_LABEL = 'ailab.tree';

/** The user id learner code runs as: never root, never the tree's owner. */
export const LEARNER_UID = 1000;

/**
 * Copies a run tree into a created (or running) container, under /lab/`under`, as a tar stream
 * through the Engine API: the one way in for every host, local or remote, since a daemon on another
 * machine cannot see this one's files. Entries keep their modes (the folder itself gets `rootMode`
 * when given) and are owned by TREE_UID.
 */
export async function putTree(container: Docker.Container, dir: string, under = '', rootMode?: number): Promise<void> {
  const stream = tar.pack(dir, {
    map: (header) => {
      const root = header.name === '.';
      const name = root ? under || '.' : under ? `${under}/${header.name}` : header.name;
      const mode = root && rootMode !== undefined ? (header.mode! & ~0o7777) | rootMode : header.mode;
      return { ...header, name, mode, uid: TREE_UID, gid: TREE_UID, uname: '', gname: '' };
    },
  });
  await container.putArchive(stream, { path: CONTAINER_ROOT });
}

/** The locked-down HostConfig every run gets: no network, read-only root, no capabilities. */
export function hardenedHostConfig(spec: Pick<RunSpec, 'limits'>): Docker.HostConfig {
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
    // The run tree's own volume (no bind mount: a remote daemon can't see this machine's files),
    // removed with the container. It is filled by putTree before the container starts.
    Mounts: [{ Type: 'volume', Source: '', Target: CONTAINER_ROOT }],
    // Some Docker versions copy the host's nameservers into /etc/resolv.conf even with no network:
    // name none but loopback, where nothing answers.
    Dns: ['127.0.0.1'],
    Ulimits: [
      { Name: 'nofile', Soft: 1024, Hard: 1024 },
      { Name: 'fsize', Soft: 64 * 1024 * 1024, Hard: 64 * 1024 * 1024 },
    ],
    AutoRemove: false,
  };
}

/**
 * A hardened container that runs `node` with `args` as root in /lab/`workdir`, attached to stdin,
 * stdout and stderr. Its run tree goes in with putTree before it starts.
 */
export function containerOptions(image: string, spec: Pick<RunSpec, 'workdir' | 'env' | 'labels' | 'limits'>, args: string[]): Docker.ContainerCreateOptions {
  return {
    Image: image,
    Cmd: ['node', ...args],
    WorkingDir: `${CONTAINER_ROOT}/${spec.workdir}`,
    Env: Object.entries({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/tmp', ...spec.env, AILAB_LEARNER_UID: String(LEARNER_UID) }).map(([k, v]) => `${k}=${v}`),
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
      // Labelled with the tree's path on this machine, to tell whose run a container is.
      container = await this.docker.createContainer(containerOptions(this.image, { ...spec, labels: { ...spec.labels, [TREE_LABEL]: spec.runDir } }, spec.args({ nodeModules: '/node_modules', root: CONTAINER_ROOT })));
      mark('docker: created');
      await putTree(container, spec.runDir);
      mark('docker: tree copied');
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
      await Promise.race([ended, new Promise((r) => setTimeout(r, 1000).unref())]);
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
      if (container) await container.remove({ force: true, v: true }).catch(() => undefined);
      mark('docker: removed');
    }
  }
}
