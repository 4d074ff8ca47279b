import type Docker from 'dockerode';
import { describe, expect, test } from 'vitest';
import { SandboxError } from '../../../runner/core/errors.ts';
import { waitForDocker } from '../../../runner/sandbox/docker-client.ts';
import { RecoveringSandbox, RUN_LABEL } from '../../../runner/sandbox/recover.ts';
import type { Outcome, RunSpec, Sandbox } from '../../../runner/sandbox/types.ts';

/** A stand-in for dockerode with just what recovery uses: a daemon that is down until `upAt`, and its containers. */
function fakeDaemon(upAt: number) {
  const containers = new Map<string, Record<string, string>>();
  const removed: string[] = [];
  let pings = 0;
  const down = () => Date.now() < upAt;
  const docker = {
    ping: async () => {
      pings++;
      if (down()) throw new Error('connect ECONNREFUSED');
      return 'OK';
    },
    listContainers: async (opts: { filters: { label: string[] } }) => {
      if (down()) throw new Error('connect ECONNREFUSED');
      const [key, value] = opts.filters.label[0].split('=');
      return [...containers].filter(([, labels]) => labels[key] === value).map(([Id]) => ({ Id }));
    },
    getContainer: (id: string) => ({
      remove: async () => {
        containers.delete(id);
        removed.push(id);
      },
    }),
  };
  return { docker: docker as unknown as Docker, containers, removed, pings: () => pings };
}

/** A sandbox whose runs create a container and then lose the daemon. */
function failingSandbox(containers: Map<string, Record<string, string>>): Sandbox {
  return {
    kind: 'docker',
    run: async (spec: RunSpec): Promise<Outcome> => {
      containers.set(`c${containers.size + 1}`, { ailab: '1', ...spec.labels });
      throw new SandboxError('E_SANDBOX', 'The Docker sandbox failed: socket hang up');
    },
  };
}

const spec = { labels: { 'ailab.lab': 'lab-00' } } as unknown as RunSpec;

describe('waiting for the Docker daemon', () => {
  test('returns as soon as a restarting daemon answers, backing off between pings', async () => {
    const daemon = fakeDaemon(Date.now() + 700);
    const started = Date.now();
    expect(await waitForDocker(daemon.docker, 5000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(690);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(daemon.pings()).toBeLessThanOrEqual(5); // 250 ms, 500 ms, 1 s...: not a busy loop
  });

  test('gives up when the time is up', async () => {
    const started = Date.now();
    expect(await waitForDocker(fakeDaemon(Infinity).docker, 600)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('a sandbox that recovers from a daemon restart', () => {
  test('labels each run; recover() waits once for all failed runs, then removes what they left', async () => {
    const daemon = fakeDaemon(Date.now() + 500);
    const sandbox = new RecoveringSandbox(failingSandbox(daemon.containers), daemon.docker, 5000);
    await expect(sandbox.run(spec)).rejects.toThrow('socket hang up');
    await expect(sandbox.run(spec)).rejects.toThrow('socket hang up');
    const labels = [...daemon.containers.values()];
    expect(labels.map((l) => l['ailab.lab'])).toEqual(['lab-00', 'lab-00']);
    expect(new Set(labels.map((l) => l[RUN_LABEL])).size).toBe(2);
    const notices: string[] = [];
    const up = await Promise.all([sandbox.recover((t) => notices.push(t)), sandbox.recover((t) => notices.push(t))]);
    expect(up).toEqual([true, true]);
    expect(notices).toHaveLength(2); // one shared wait, not one per failed run
    expect(notices[0]).toMatch(/^the Docker daemon at .* is not answering; waiting up to 5 s for it to come back$/);
    expect(notices[1]).toMatch(/^the Docker daemon answers again after \d+(\.\d)? s; grading the affected students again$/);
    expect(daemon.containers.size).toBe(0);
    expect(daemon.removed.sort()).toEqual(['c1', 'c2']);
  });

  test('after waiting in vain it does not wait again for every student, until the daemon is back', async () => {
    const daemon = fakeDaemon(Infinity);
    const sandbox = new RecoveringSandbox(failingSandbox(daemon.containers), daemon.docker, 300);
    const notices: string[] = [];
    expect(await sandbox.recover((t) => notices.push(t))).toBe(false);
    expect(notices[1]).toMatch(/did not answer within 0.3 s; students whose sandbox fails are recorded as errors \(not their fault\)/);
    const started = Date.now();
    expect(await sandbox.recover((t) => notices.push(t))).toBe(false);
    expect(Date.now() - started).toBeLessThan(250);
    expect(notices).toHaveLength(2);
  });
});
