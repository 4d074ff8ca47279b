import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type Docker from 'dockerode';
import { SandboxError } from '../core/errors.ts';
import { harnessDir } from '../core/paths.ts';
import { mark } from '../core/timings.ts';
import type { LabLimits } from '../lab/schema.ts';
import { attachStreams, CONTAINER_ROOT, containerOptions, putTree } from './docker.ts';
import { startDeadline } from './deadline.ts';
import { OutputSink } from './output.ts';
import type { Outcome, RunSpec, Sandbox } from './types.ts';

/** The run in flight: where its output goes, and how it ends. */
interface Current {
  out: OutputSink;
  err: OutputSink;
  settle(exitCode: number | null): void;
}

/** The container that stays up between runs, with the agent (runner/harness/agent.mjs) in it. */
interface Live {
  container: Docker.Container;
  stream: NodeJS.ReadWriteStream;
  /** Its limits, as a key: a run with other limits gets a new container. */
  limits: string;
  current?: Current;
  /** The agent's "run done" line starts with this: it holds the session's nonce. */
  marker: string;
  dead: boolean;
}

/** How long dropping a container waits for the daemon to finish removing it. */
const REMOVAL_WAIT_MS = 10_000;

/** Idle containers kept up at most, twice the cores: enough for verify's runs at once across labs of different limits. */
const MAX_IDLE = 2 * availableParallelism();
const limitsKey = (l: LabLimits) => JSON.stringify([l.memory_mb, l.cpus, l.pids, l.output_kb]);

/**
 * A Docker sandbox for one learner's own runs (watch) and for a lab author's (verify): hardened
 * containers stay up, and each run asks an idle one's agent to run vitest again, on a run tree
 * staged fresh and copied into the container's own volume at /lab/<tree> (putTree), which the
 * agent deletes when the run ends. A run skips the container's create,
 * start and removal and vitest's start-up; it still gets a fresh Vitest, fresh test workers and a
 * fresh learner process, and the agent kills the learner user's processes and deletes its files
 * between runs. Runs at once get a container each; idle containers of several limits stay up
 * (verify switches between labs), up to MAX_IDLE. A run that times out, is aborted, or kills its
 * container costs that container: a later run starts another. Never for grading a class: one
 * student's code must not share a container with another's.
 */
export class WarmDockerSandbox implements Sandbox {
  readonly kind = 'docker' as const;
  /** On each of this sandbox's containers as the label ailab.warm, to tell them from other processes'. */
  readonly id = randomBytes(8).toString('hex');
  /** Containers up and not running anything. */
  private idle: Live[] = [];
  /** Every container up, idle or busy. */
  private readonly lives = new Set<Live>();
  private closed = false;

  constructor(
    private readonly docker: Docker,
    readonly image: string,
  ) {}

  async run(spec: RunSpec, signal?: AbortSignal): Promise<Outcome> {
    if (this.closed) throw new Error('the warm sandbox is closed');
    if (!spec.vitest) throw new Error('the warm sandbox runs vitest only: the spec has no vitest run');
    if (signal?.aborted) throw signal.reason;
    const started = Date.now();
    let live: Live | undefined;
    const tree = basename(spec.runDir);
    try {
      live = await this.take(spec);
      await putTree(live.container, spec.runDir, tree);
      mark('warm: tree copied');
    } catch (cause) {
      // A container that could not take the tree is not used again.
      if (live) await this.drop(live);
      throw new SandboxError('E_SANDBOX', `The Docker sandbox failed: ${(cause as Error).message}`, 'Check `docker info` and `npm run lab -- doctor`; the learner code was not graded.', { cause });
    }
    const capBytes = spec.limits.output_kb * 1024;
    let settle!: (exitCode: number | null) => void;
    const ended = new Promise<number | null>((resolve) => (settle = resolve));
    // The agent's "run done" line ends the run; every other line is the run's own output.
    const intercept = (line: string) => {
      if (!line.startsWith(live.marker)) return spec.interceptStdout?.(line) ?? false;
      settle((JSON.parse(line.slice(live.marker.length)) as { exitCode: number }).exitCode);
      return true;
    };
    live.current = { out: new OutputSink(capBytes, intercept), err: new OutputSink(capBytes), settle };
    const current = live.current;
    const kill = () => void live.container.kill({ signal: 'SIGKILL' }).catch(() => undefined);
    signal?.addEventListener('abort', kill, { once: true });
    const deadline = startDeadline(spec, kill);
    try {
      const root = `${CONTAINER_ROOT}/${tree}`;
      live.stream.write(`${JSON.stringify({ root, workdir: spec.workdir, config: `${root}/${spec.vitest.config}`, files: spec.vitest.files, env: spec.env, nonce: spec.stdin })}\n`);
      let exitCode = await ended;
      mark('warm: run done');
      if (signal?.aborted) throw signal.reason;
      let oomKilled = false;
      if (live.dead) {
        // The container itself ended: its state says how (out of memory, killed at the time limit).
        const state = await live.container.inspect().then((i) => i.State, () => undefined);
        exitCode = state?.ExitCode ?? exitCode;
        oomKilled = Boolean(state?.OOMKilled);
      }
      return { kind: 'docker', image: this.image, exitCode, timedOut: deadline.timedOut, oomKilled, durationMs: Date.now() - started, stdout: current.out.text(), stderr: current.err.text() };
    } finally {
      deadline.clear();
      signal?.removeEventListener('abort', kill);
      live.current = undefined;
      if (signal?.aborted || deadline.timedOut || live.dead || this.closed) await this.drop(live);
      else {
        this.idle.push(live);
        // Idle containers of several limits stay up (verify interleaves labs), up to a bound.
        if (this.idle.length > MAX_IDLE) await this.drop(this.idle[0]);
      }
    }
  }

  /** An idle container for these limits (the one used last), or a new one. */
  private async take(spec: RunSpec): Promise<Live> {
    const key = limitsKey(spec.limits);
    for (const dead of this.idle.filter((l) => l.dead)) await this.drop(dead);
    const i = this.idle.findLastIndex((l) => l.limits === key);
    if (i >= 0) return this.idle.splice(i, 1)[0];
    const session = randomBytes(24).toString('hex');
    const options = containerOptions(this.image, { workdir: '', env: {}, labels: { ...spec.labels, 'ailab.warm': this.id }, limits: spec.limits }, [`${CONTAINER_ROOT}/.agent/agent.mjs`]);
    // If this process dies without close() (killed outright), the agent sees its stdin close and
    // exits, and Docker removes the container: nothing stays behind.
    options.HostConfig = { ...options.HostConfig, AutoRemove: true };
    const container = await this.docker.createContainer(options);
    try {
      // The harness, the checks' side's own (0700): the learner never reads it.
      await putTree(container, harnessDir(), '.agent', 0o700);
      // No output comes before start(), by when `live` is set.
      let live!: Live;
      const { stream, ended } = await attachStreams(container, (c) => live.current?.out.write(c), (c) => live.current?.err.write(c));
      live = { container, stream, limits: key, marker: `@@ailab-agent:${session}:`, dead: false };
      void ended.then(() => {
        live.dead = true;
        live.current?.settle(null);
      });
      await container.start();
      mark('warm: container started');
      stream.write(`${session}\n`);
      this.lives.add(live);
      return live;
    } catch (error) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw error;
    }
  }

  /** Stops and removes a container; a later run starts another. */
  private async drop(live: Live): Promise<void> {
    this.lives.delete(live);
    this.idle = this.idle.filter((l) => l !== live);
    live.dead = true;
    await live.container.remove({ force: true, v: true }).catch(() => undefined);
    // A killed container is AutoRemoved: the daemon may still be removing it when remove() returns
    // (409, removal in progress). Wait until it is gone, for a bounded time.
    await Promise.race([live.container.wait({ condition: 'removed' }).catch(() => undefined), new Promise((r) => setTimeout(r, REMOVAL_WAIT_MS).unref())]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.lives].map((live) => this.drop(live)));
  }
}
