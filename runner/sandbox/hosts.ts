import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SandboxError, UsageError } from '../core/errors.ts';
import { ensureImage } from '../image/ensure.ts';
import { dockerAnswers, dockerClient, type HostTls } from './docker-client.ts';
import { DockerSandbox } from './docker.ts';
import { RecoveringSandbox } from './recover.ts';
import type { Outcome, RunSpec, Sandbox } from './types.ts';

/** One Docker host to grade on: where it is, how many sandboxes it runs at once, and its TLS files. */
export interface HostSpec {
  url: string;
  jobs: number;
  tls?: HostTls;
}

const HostsFileSchema = z.strictObject({
  hosts: z
    .array(
      z.strictObject({
        url: z.string({ error: 'expected a Docker host URL (unix://, tcp:// or ssh://)' }),
        jobs: z.number().int().min(1).max(64).optional(),
        tls: z.strictObject({ ca: z.string(), cert: z.string(), key: z.string() }).optional(),
      }),
    )
    .min(1, { error: 'expected at least one host' }),
});

/**
 * The hosts of a multi-host grade: each `--docker-host URL`, then each host of `--hosts FILE`
 * (YAML: `hosts: [{ url, jobs?, tls?: { ca, cert, key } }]`), with `jobs` sandboxes each unless
 * the file says otherwise. Throws a usage error naming the bad entry.
 */
export function parseHosts(urls: string[], file: string | undefined, jobs: number): HostSpec[] {
  const hosts: HostSpec[] = urls.map((url) => ({ url, jobs }));
  if (file) {
    let data: unknown;
    try {
      data = parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--hosts ${file} cannot be read: ${(error as Error).message}`, 'Write it as YAML: hosts: [{ url: tcp://grader-2:2376, jobs: 4 }]');
    }
    const parsed = HostsFileSchema.safeParse(data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `  ${file}: ${i.path.join('.') || '(top)'}: ${i.message}`).join('\n');
      throw new UsageError(`--hosts ${file} is not a valid hosts file:\n${issues}`, 'Each host needs a url; jobs and tls (ca, cert, key paths) are optional.');
    }
    for (const h of parsed.data.hosts) hosts.push({ url: h.url, jobs: h.jobs ?? jobs, tls: h.tls });
  }
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.url)) throw new UsageError(`The Docker host ${h.url} is named twice.`, 'Name each host once; give it more sandboxes with jobs in the hosts file.');
    seen.add(h.url);
  }
  return hosts;
}

/** After this many sandbox failures in a row, a host is dropped for the rest of the batch. */
export const MAX_HOST_FAILURES = 3;

/** How long a host that just failed gets no new run: doubling from this, per failure in a row. */
export const HOST_BACKOFF_MS = 2_000;

/** One host in use: its sandbox, its slots, and what it has done (busy, failures and rest are MultiHostSandbox's own). */
export interface Host {
  url: string;
  jobs: number;
  sandbox: Sandbox;
  busy: number;
  graded: number;
  busyMs: number;
  failures: number;
  restUntil: number;
  dropped?: string;
}

/** A host for MultiHostSandbox: `jobs` runs at once on `sandbox`, nothing done yet. */
export function newHost(url: string, jobs: number, sandbox: Sandbox): Host {
  return { url, jobs, sandbox, busy: 0, graded: 0, busyMs: 0, failures: 0, restUntil: 0 };
}

/** What each host did in a batch, for the summary. */
export interface HostTally {
  url: string;
  graded: number;
  busyMs: number;
  dropped?: string;
}

/**
 * A sandbox over several Docker hosts, for `grade`: one queue of runs, and each host takes the
 * next whenever it has a free slot (`jobs` at once). A run that a host fails (the daemon went
 * away, the run could not start) goes to another host, once per host; the host that failed rests
 * for a back-off, and after MAX_HOST_FAILURES failures in a row it is dropped for the rest of the
 * batch. A run fails only when every host still in use has failed it. Each outcome names its host.
 */
export class MultiHostSandbox implements Sandbox {
  readonly kind = 'docker' as const;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly hosts: Host[],
    readonly image: string,
    private readonly onNotice: (text: string) => void = () => {},
  ) {}

  /** The total number of runs the hosts take at once. */
  get slots(): number {
    return this.hosts.reduce((n, h) => n + h.jobs, 0);
  }

  /** What each host did so far. */
  tally(): HostTally[] {
    return this.hosts.map((h) => ({ url: h.url, graded: h.graded, busyMs: h.busyMs, dropped: h.dropped }));
  }

  async run(spec: RunSpec, signal?: AbortSignal): Promise<Outcome> {
    const tried = new Set<Host>();
    let last: unknown;
    for (;;) {
      const host = await this.take(tried, signal);
      if (!host) throw last ?? new SandboxError('E_SANDBOX', 'Every Docker host has dropped out of this batch.', 'See the warnings above for why each one failed; fix them and grade again with --resume.');
      const started = Date.now();
      try {
        const outcome = await host.sandbox.run(spec, signal);
        host.graded++;
        host.failures = 0;
        host.busyMs += Date.now() - started;
        return { ...outcome, host: host.url };
      } catch (error) {
        if (signal?.aborted || !(error instanceof SandboxError)) throw error;
        last = error;
        tried.add(host);
        this.failed(host, error);
      } finally {
        host.busy--;
        this.wakeAll();
      }
    }
  }

  /** A host had a sandbox failure: it rests, or after too many in a row, drops out. */
  private failed(host: Host, error: SandboxError): void {
    host.failures++;
    if (host.failures >= MAX_HOST_FAILURES) {
      host.dropped = `${host.failures} sandbox failures in a row (the last: ${error.message})`;
      this.onNotice(`the Docker host ${host.url} is dropped for the rest of this batch: ${host.dropped}`);
      return;
    }
    const rest = HOST_BACKOFF_MS * 2 ** (host.failures - 1);
    host.restUntil = Date.now() + rest;
    this.onNotice(`the Docker host ${host.url} failed a run (${error.message}); its run goes to another host, and it gets none for ${rest / 1000} s`);
    // Wake waiters when the rest is over, so they look at this host again.
    setTimeout(() => this.wakeAll(), rest).unref();
  }

  /** Every run waiting for a slot looks again: a slot came free, or a host's rest ended. */
  private wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** A host with a free slot that has not failed this run, waiting for one; undefined when none is left to try. */
  private async take(tried: Set<Host>, signal?: AbortSignal): Promise<Host | undefined> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const candidates = this.hosts.filter((h) => !h.dropped && !tried.has(h));
      if (candidates.length === 0) return undefined;
      const now = Date.now();
      // The least busy host that is not resting, so the load spreads evenly.
      const free = candidates.filter((h) => h.busy < h.jobs && h.restUntil <= now).sort((a, b) => a.busy / a.jobs - b.busy / b.jobs)[0];
      if (free) {
        free.busy++;
        return free;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  async recover(onNotice: (text: string) => void): Promise<boolean> {
    const up = await Promise.all(this.hosts.filter((h) => !h.dropped).map((h) => h.sandbox.recover?.(onNotice) ?? true));
    return up.some(Boolean);
  }

  async sweep(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.sandbox.sweep?.()));
  }
}

/**
 * Opens every host: checks that it answers and has the sandbox image (building it there through
 * the Engine API when it does not), all at once. A host that fails drops out with a notice and the
 * others go on; when none is left, throws why each one failed.
 */
export async function openHosts(specs: HostSpec[], opts: { root: string; onProgress: (step: string) => void; onNotice: (text: string) => void }): Promise<MultiHostSandbox> {
  const opened = await Promise.all(
    specs.map(async (spec): Promise<{ host?: Host; image?: string; why?: string }> => {
      try {
        const docker = dockerClient(spec.url, spec.tls);
        if (!(await dockerAnswers(docker, 5000))) return { why: `no Docker daemon answers at ${spec.url}` };
        const image = await ensureImage(docker, { root: opts.root, onProgress: (step) => opts.onProgress(`${spec.url}: ${step}`) });
        return { host: newHost(spec.url, spec.jobs, new RecoveringSandbox(new DockerSandbox(docker, image), docker)), image };
      } catch (error) {
        if (error instanceof UsageError) throw error;
        return { why: `${spec.url}: ${(error as Error).message}` };
      }
    }),
  );
  const hosts = opened.flatMap((o) => (o.host ? [o.host] : []));
  for (const o of opened) if (o.why) opts.onNotice(`a Docker host drops out before the batch starts: ${o.why}`);
  if (hosts.length === 0) {
    throw new SandboxError('E_DOCKER_UNAVAILABLE', `No Docker host could be used: ${opened.map((o) => o.why).join('; ')}.`, 'Check each host with `DOCKER_HOST=URL docker info` and `DOCKER_HOST=URL npm run lab -- doctor`.');
  }
  return new MultiHostSandbox(hosts, opened.find((o) => o.image)!.image!, opts.onNotice);
}
