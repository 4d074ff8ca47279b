import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import { SandboxError } from '../core/errors.ts';
import { dockerAnswers, dockerTarget, waitForDocker } from './docker-client.ts';
import type { Outcome, RunSpec, Sandbox } from './types.ts';

/** How long a grade run waits for a Docker daemon that stopped answering (e.g. while it restarts). */
export const DAEMON_WAIT_MS = 20_000;

/** The label that names one sandbox run, so what a failed run left can be found again. */
export const RUN_LABEL = 'ailab.run';

const secs = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * A Docker sandbox that survives a daemon restart. Each run is labelled; when runs fail, recover()
 * waits for the daemon (one shared, bounded wait however many runs failed) and then removes the
 * containers those runs left. After a wait in vain it does not wait again until the daemon has
 * answered once more, so a daemon that is gone for good costs 20 s, not 20 s per student.
 */
export class RecoveringSandbox implements Sandbox {
  readonly kind: Sandbox['kind'];
  readonly image?: string;
  private readonly failed = new Set<string>();
  /** Every run this process started, so a sweep can tell its leftovers from other processes' runs. */
  private readonly mine = new Set<string>();
  private waiting?: Promise<boolean>;
  private cleaning?: Promise<void>;
  private gaveUp = false;

  constructor(
    private readonly inner: Sandbox,
    private readonly docker: Docker,
    private readonly waitMs = DAEMON_WAIT_MS,
  ) {
    this.kind = inner.kind;
    this.image = inner.image;
  }

  async run(spec: RunSpec, signal?: AbortSignal): Promise<Outcome> {
    const id = randomUUID();
    this.mine.add(id);
    try {
      return await this.inner.run({ ...spec, labels: { ...spec.labels, [RUN_LABEL]: id } }, signal);
    } catch (error) {
      // An aborted run removes its own container; a sandbox failure may not have been able to.
      if (error instanceof SandboxError) this.failed.add(id);
      throw error;
    }
  }

  async recover(onNotice: (text: string) => void): Promise<boolean> {
    // Concurrent callers share one wait and one clean-up.
    this.waiting ??= this.awaitDaemon(onNotice).finally(() => {
      this.waiting = undefined;
    });
    const up = await this.waiting;
    if (up) {
      this.cleaning ??= this.removeLeftovers().finally(() => {
        this.cleaning = undefined;
      });
      await this.cleaning;
    }
    return up;
  }

  /**
   * Removes every container of this process's runs that is still there. A daemon that was killed
   * and restarted can list a run's container only some time after it answers again, so a removal
   * during recovery may have found nothing; at the end of a batch every run has finished.
   */
  async sweep(): Promise<void> {
    try {
      if (!(await dockerAnswers(this.docker))) return;
      const left = await this.docker.listContainers({ all: true, filters: { label: [RUN_LABEL] } });
      for (const c of left) {
        if (this.mine.has(c.Labels?.[RUN_LABEL] ?? '')) await this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
      }
    } catch {
      // a daemon that went away again: nothing more to do here
    }
  }

  /** True when the daemon answers now or within the wait; says what it is doing when it has to wait. */
  private async awaitDaemon(onNotice: (text: string) => void): Promise<boolean> {
    if (await dockerAnswers(this.docker)) {
      this.gaveUp = false;
      return true;
    }
    if (this.gaveUp) return false;
    onNotice(`the Docker daemon at ${dockerTarget(this.docker)} is not answering; waiting up to ${secs(this.waitMs)} for it to come back`);
    const started = Date.now();
    const up = await waitForDocker(this.docker, this.waitMs);
    this.gaveUp = !up;
    onNotice(
      up
        ? `the Docker daemon answers again after ${secs(Date.now() - started)}; grading the affected students again`
        : `the Docker daemon did not answer within ${secs(this.waitMs)}; students whose sandbox fails are recorded as errors (not their fault) until it answers`,
    );
    return up;
  }

  /** Removes the containers of failed runs, including runs that fail meanwhile; those that cannot be removed yet stay listed. */
  private async removeLeftovers(): Promise<void> {
    const tried = new Set<string>();
    for (let id = this.nextFailed(tried); id !== undefined; id = this.nextFailed(tried)) {
      tried.add(id);
      try {
        const left = await this.docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${id}`] } });
        for (const c of left) await this.docker.getContainer(c.Id).remove({ force: true, v: true });
        this.failed.delete(id);
      } catch {
        // still unreachable, or already gone: the next recovery tries again
      }
    }
  }

  private nextFailed(tried: Set<string>): string | undefined {
    for (const id of this.failed) if (!tried.has(id)) return id;
    return undefined;
  }
}
