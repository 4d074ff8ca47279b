import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SandboxError } from '../../../runner/core/errors.ts';
import { LimitsSchema } from '../../../runner/lab/schema.ts';
import { MAX_HOST_FAILURES, MultiHostSandbox, newHost, parseHosts } from '../../../runner/sandbox/hosts.ts';
import type { Outcome, RunSpec, Sandbox } from '../../../runner/sandbox/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'ailab-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec: RunSpec = { runDir: dir, workdir: '.', args: () => [], env: {}, stdin: '', limits: LimitsSchema.parse({}) };

/**
 * A host's sandbox for the queue's own logic: each run takes `ms`, and `broken()` says whether the
 * host is down (its runs fail as a sandbox failure, as a dead daemon's do). It counts what it ran.
 */
class TimedSandbox implements Sandbox {
  readonly kind = 'docker' as const;
  running = 0;
  peak = 0;
  runs = 0;
  constructor(
    private readonly ms: number,
    private readonly broken: () => boolean = () => false,
  ) {}
  async run(): Promise<Outcome> {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      await new Promise((r) => setTimeout(r, this.ms));
      if (this.broken()) throw new SandboxError('E_SANDBOX', 'the daemon went away');
      this.runs++;
      return { kind: 'docker', exitCode: 0, timedOut: false, oomKilled: false, durationMs: this.ms, stdout: '', stderr: '' };
    } finally {
      this.running--;
    }
  }
}

describe('MultiHostSandbox: one queue over several hosts', () => {
  test('each host runs at most its jobs at once, and a faster host takes more of the queue', async () => {
    const fast = new TimedSandbox(20);
    const slow = new TimedSandbox(80);
    const multi = new MultiHostSandbox([newHost('fast', 2, fast), newHost('slow', 1, slow)], 'img');
    expect(multi.slots).toBe(3);
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => multi.run(spec)));
    expect(fast.peak).toBeLessThanOrEqual(2);
    expect(slow.peak).toBeLessThanOrEqual(1);
    expect(fast.runs + slow.runs).toBe(30);
    expect(fast.runs).toBeGreaterThan(slow.runs);
    expect(outcomes.filter((o) => o.host === 'fast')).toHaveLength(fast.runs);
    expect(multi.tally().map((h) => [h.url, h.graded])).toEqual([['fast', fast.runs], ['slow', slow.runs]]);
  });

  test('a run that a host fails goes to another host; the host is dropped after repeated failures', async () => {
    const notices: string[] = [];
    const good = new TimedSandbox(10);
    const bad = new TimedSandbox(5, () => true);
    const multi = new MultiHostSandbox([newHost('good', 1, good), newHost('bad', 1, bad)], 'img', (t) => notices.push(t));
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => multi.run(spec)));
    expect(outcomes.every((o) => o.host === 'good')).toBe(true);
    expect(good.runs).toBe(12);
    const badTally = multi.tally().find((h) => h.url === 'bad')!;
    expect(badTally.graded).toBe(0);
    // It rested between failures, so it failed at most MAX_HOST_FAILURES runs before it was dropped, or the batch ended first.
    expect(notices.filter((n) => n.includes('failed a run')).length).toBeLessThan(MAX_HOST_FAILURES);
    expect(notices.some((n) => n.startsWith('the Docker host bad failed a run (the daemon went away)'))).toBe(true);
  });

  test('a host that keeps failing is dropped, and a run fails only when every host has failed it', async () => {
    const notices: string[] = [];
    let down = true;
    const flaky = new TimedSandbox(1, () => down);
    const multi = new MultiHostSandbox([newHost('flaky', 1, flaky)], 'img', (t) => notices.push(t));
    await expect(multi.run(spec)).rejects.toThrow('the daemon went away');
    // The back-off doubles (2 s, then 4 s); the third failure drops it.
    await expect(multi.run(spec)).rejects.toThrow('the daemon went away');
    await expect(multi.run(spec)).rejects.toThrow('the daemon went away');
    expect(multi.tally()[0].dropped).toMatch(/^3 sandbox failures in a row/);
    down = false;
    await expect(multi.run(spec)).rejects.toThrow('Every Docker host has dropped out of this batch.');
    expect(notices.at(-1)).toMatch(/^the Docker host flaky is dropped for the rest of this batch/);
  }, 30_000);

  test('a success resets the count of failures in a row', async () => {
    let down = true;
    const host = newHost('h', 1, new TimedSandbox(1, () => down));
    const multi = new MultiHostSandbox([host], 'img');
    await expect(multi.run(spec)).rejects.toThrow();
    host.restUntil = 0; // skip the rest, to keep the test short
    down = false;
    await multi.run(spec);
    expect(host.failures).toBe(0);
  });
});

describe('parseHosts', () => {
  test('--docker-host URLs and a hosts file, with jobs per host', () => {
    const file = join(dir, 'hosts.yaml');
    writeFileSync(file, 'hosts:\n  - url: tcp://grader-2:2376\n    jobs: 4\n    tls: { ca: /c/ca.pem, cert: /c/cert.pem, key: /c/key.pem }\n  - url: ssh://me@grader-3\n');
    expect(parseHosts(['unix:///var/run/docker.sock'], file, 2)).toEqual([
      { url: 'unix:///var/run/docker.sock', jobs: 2 },
      { url: 'tcp://grader-2:2376', jobs: 4, tls: { ca: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem' } },
      { url: 'ssh://me@grader-3', jobs: 2, tls: undefined },
    ]);
  });

  test('a bad hosts file names the entry, and a host named twice is refused', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'hosts:\n  - url: tcp://a:2376\n    jobs: 0\n  - jobs: 2\n');
    expect(() => parseHosts([], file, 2)).toThrow(/bad\.yaml: hosts\.0\.jobs: .*\n.*bad\.yaml: hosts\.1\.url: expected a Docker host URL/);
    expect(() => parseHosts(['tcp://a:2376', 'tcp://a:2376'], undefined, 2)).toThrow('The Docker host tcp://a:2376 is named twice.');
    expect(() => parseHosts([], join(dir, 'missing.yaml'), 2)).toThrow(/--hosts .*missing\.yaml cannot be read/);
  });

  test('a URL Docker cannot use is a usage error, before any host is tried', async () => {
    const { dockerClient, dockerTarget } = await import('../../../runner/sandbox/docker-client.ts');
    expect(() => dockerClient('http://a:1')).toThrow('"http://a:1" is not a Docker host URL: http:// is not supported.');
    expect(() => dockerClient('tcp://a:2376', { ca: join(dir, 'nope.pem'), cert: 'x', key: 'y' })).toThrow(/The TLS CA for tcp:\/\/a:2376 cannot be read/);
    expect(dockerTarget(dockerClient('tcp://127.0.0.1:9'))).toBe('tcp://127.0.0.1:9');
  });
});
