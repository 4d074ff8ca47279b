import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { pickSubmission } from '../../runner/commands/options.ts';
import { resolveLab } from '../../runner/lab/resolve.ts';
import { runChecks } from '../../runner/run/run-checks.ts';
import { ensureImage } from '../../runner/image/ensure.ts';
import { dockerClient } from '../../runner/sandbox/docker-client.ts';
import { DockerSandbox } from '../../runner/sandbox/docker.ts';
import { LocalSandbox } from '../../runner/sandbox/local.ts';
import { WarmDockerSandbox } from '../../runner/sandbox/warm.ts';
import type { Outcome, RunSpec, Sandbox } from '../../runner/sandbox/types.ts';
import { ROOT } from '../helpers/cli.ts';
import { processesWith } from '../helpers/hostile.ts';

// CI once graded a copy of lab-00's solution at 90/100: its topk-brute-force check (284 ms on an
// idle machine) ran 5,461 ms on a loaded one and hit the lab's per-check limit of 5 s. A machine
// that starves a run is the sandbox's failure, never the learner's. Here the machine's stall is
// made exact: the real local sandbox runs the real checks, and on the first run the learner's
// process is stopped (SIGSTOP) for longer than the limit, as a starved process would be.

/** The learner processes of one run tree: their command line names its .ailab-learner/host.cjs. */
const learnerPids = (runDir: string) => processesWith(join(runDir, '.ailab-learner/host.cjs'));

/** A sandbox that keeps every spec it is given. */
class Recording implements Sandbox {
  readonly specs: RunSpec[] = [];
  constructor(readonly inner: Sandbox) {}
  get kind() {
    return this.inner.kind;
  }
  run(spec: RunSpec, signal?: AbortSignal): Promise<Outcome> {
    this.specs.push(spec);
    return this.inner.run(spec, signal);
  }
}

/**
 * The local sandbox, whose first run has its learner processes frozen for `stallMs`: from the
 * moment one starts (`load`: the checks are loading the learner's module), or once the first check
 * has reported (`test`: a check is calling into it).
 */
class StallingSandbox extends Recording {
  stalled = 0;

  constructor(
    private readonly stallMs: number,
    private readonly when: 'load' | 'test',
  ) {
    super(new LocalSandbox());
  }

  override async run(spec: RunSpec, signal?: AbortSignal): Promise<Outcome> {
    if (this.specs.length > 0) return super.run(spec, signal);
    let done = false;
    let reported = false;
    const intercept = spec.interceptStdout!;
    const watched = {
      ...spec,
      interceptStdout: (line: string) => {
        const frame = intercept(line);
        if (frame && line.includes('"type":"test"')) reported = true;
        return frame;
      },
    };
    const freeze = (async () => {
      while (!done) {
        const pids = this.when === 'test' && !reported ? [] : learnerPids(spec.runDir);
        if (pids.length > 0) {
          for (const pid of pids) process.kill(pid, 'SIGSTOP');
          this.stalled++;
          await new Promise((r) => setTimeout(r, this.stallMs));
          for (const pid of pids) {
            try {
              process.kill(pid, 'SIGCONT');
            } catch {
              // the checks' side already killed it, at the per-check limit
            }
          }
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      return await super.run(watched, signal);
    } finally {
      done = true;
      await freeze;
    }
  }
}

const lab = resolveLab('lab-00', ROOT);
const docker = dockerClient();
let built: Promise<string> | undefined;
/** The sandbox image, built once for this file when a test first needs it. */
const image = () => (built ??= ensureImage(docker, { root: ROOT, onProgress: () => {} }));

describe('a check that times out', () => {
  test.each(['load', 'test'] as const)('because the machine stalled the learner process (%s) is run again alone, and a correct solution keeps full marks', async (when) => {
    const sub = pickSubmission(lab, { solution: true }, ROOT);
    const sandbox = new StallingSandbox(6_500, when);
    const r = await runChecks({ lab, root: ROOT, files: sub.files, source: sub.source, sha256: sub.sha256, sandbox });
    expect(sandbox.stalled, 'the learner processes were frozen once').toBe(1);
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.message}`)).toEqual([]);
    expect(r.score).toBe(100);
    const rerun = r.checks.filter((c) => c.rerun);
    expect(rerun.length, 'the checks that met the frozen process hit the limit at first').toBeGreaterThan(0);
    for (const c of rerun) {
      expect(c.rerun).toEqual({ status: 'timeout', durationMs: expect.any(Number) });
      // A check that was running when its call froze took the limit; one whose file was loading never started.
      if (when === 'test') expect(c.rerun!.durationMs).toBeGreaterThanOrEqual(5_000);
      expect(r.problems).toContain(`${c.id} hit the per-check limit of 5 s in the full run and passed when run again alone: the machine was probably busy.`);
    }
    // The second run is one more sandbox run, of those checks only.
    expect(sandbox.specs).toHaveLength(2);
    expect(sandbox.specs[1].env.AILAB_ONLY_TESTS).toBe(JSON.stringify(rerun.map((c) => c.test)));
  }, 60_000);

  test.each(['local', 'docker', 'warm docker'] as const)('every time still times out after its rerun, and the message says it hit the limit twice (%s)', async (kind) => {
    const files = pickSubmission(lab, { submission: join(ROOT, 'fixtures/submissions/lab-00/timeout/one-check-hangs') }, ROOT);
    const sandbox = new Recording(kind === 'local' ? new LocalSandbox() : kind === 'docker' ? new DockerSandbox(docker, await image()) : new WarmDockerSandbox(docker, await image()));
    try {
      const r = await runChecks({ lab, root: ROOT, files: files.files, source: files.source, sha256: files.sha256, sandbox });
      const check = r.checks.find((c) => c.id === 'topk-brute-force')!;
      expect(check.status).toBe('timeout');
      expect(check.rerun).toEqual({ status: 'timeout', durationMs: expect.any(Number) });
      expect(check.message).toBe('This check took longer than the per-test limit of 5 s (limits.test_timeout_s). Look for a loop that never ends or a promise that never settles.\nIt hit the limit twice: in the full run and again when run alone.');
      expect(r.score).toBe(90);
      expect(r.checks.filter((c) => c.id !== 'topk-brute-force').map((c) => `${c.id} ${c.status} ${Boolean(c.rerun)}`)).toEqual(lab.checks.filter((c) => c.id !== 'topk-brute-force').map((c) => `${c.id} pass false`));
      expect(sandbox.specs.map((s) => s.env.AILAB_ONLY_TESTS)).toEqual([undefined, JSON.stringify([check.test])]);
      expect(sandbox.specs[1].vitest?.files).toEqual(['checks/similarity.test.ts']);
    } finally {
      await sandbox.inner.close?.();
    }
  }, 90_000);

  test('in a run that hit the whole run\'s limit is not run again: that would cost as much again', async () => {
    const files = pickSubmission(lab, { submission: join(ROOT, 'fixtures/submissions/lab-00/timeout/infinite-loop') }, ROOT);
    const sandbox = new Recording(new LocalSandbox());
    // Two checks hang for 5 s each: the second meets the run's 8 s.
    const r = await runChecks({ lab, root: ROOT, files: files.files, source: files.source, sha256: files.sha256, sandbox, limits: { timeout_s: 8 } });
    expect(r.sandbox.timedOut).toBe(true);
    expect(r.checks.find((c) => c.id === 'topk-best')?.status).toBe('timeout');
    expect(r.checks.some((c) => c.rerun)).toBe(false);
    expect(sandbox.specs).toHaveLength(1);
  }, 60_000);

  test('is the only kind of failure run again: a wrong answer is graded once', async () => {
    const files = pickSubmission(lab, {}, ROOT);
    const sandbox = new Recording(new LocalSandbox());
    const r = await runChecks({ lab, root: ROOT, files: files.files, source: files.source, sha256: files.sha256, sandbox });
    expect(r.score).toBe(0);
    expect(r.checks.some((c) => c.rerun)).toBe(false);
    expect(sandbox.specs).toHaveLength(1);
  }, 60_000);
});
