import { describe, expect, test } from 'vitest';
import { staleBecause, type RunIdentity } from '../../../runner/grade/store.ts';
import type { Results } from '../../../runner/results/schema.ts';
import { demoResults } from '../../helpers/results.ts';

/** A saved result that ran in the Docker sandbox at the lab's own limits. */
function saved(): Results {
  const r = demoResults('expected -1 to be -3');
  return { ...r, sandbox: { ...r.sandbox, kind: 'docker', image: 'ailab-sandbox:aaaa', durationMs: 1234 } };
}
const now = (over: Partial<RunIdentity> = {}): RunIdentity => {
  const r = saved();
  return { labVersion: r.lab.version, limits: r.sandbox.limits, runnerVersion: r.runner.version, sandboxKind: 'docker', image: 'ailab-sandbox:aaaa', ...over };
};

describe('staleBecause: what --resume must not reuse', () => {
  test('the same lab, limits, runner, sandbox and image: reused', () => {
    expect(staleBecause(saved(), now())).toBeUndefined();
  });

  test('each thing that can change a score makes it stale, and says which', () => {
    const limits = { ...saved().sandbox.limits, timeout_s: 2 };
    expect(staleBecause(saved(), now({ limits }))).toBe(`the limits changed (timeout_s ${saved().sandbox.limits.timeout_s} → 2)`);
    expect(staleBecause(saved(), now({ labVersion: '1-other' }))).toContain('the lab changed');
    expect(staleBecause(saved(), now({ runnerVersion: '9.9.9' }))).toContain('the runner changed');
    expect(staleBecause(saved(), now({ sandboxKind: 'local', image: undefined }))).toBe('the sandbox changed (docker → local)');
    expect(staleBecause(saved(), now({ image: 'ailab-sandbox:bbbb' }))).toBe('the sandbox image changed (ailab-sandbox:aaaa → ailab-sandbox:bbbb)');
    const failed = saved();
    failed.sandbox.failure = 'the daemon went away';
    expect(staleBecause(failed, now())).toBe('the sandbox failed to grade it');
  });

  test('a submission that never reached a sandbox (could not be graded as given) does not depend on limits or image', () => {
    const rejected = saved();
    rejected.sandbox.durationMs = 0;
    rejected.sandbox.image = undefined;
    expect(staleBecause(rejected, now({ image: 'ailab-sandbox:bbbb', limits: { ...rejected.sandbox.limits, timeout_s: 2 } }))).toBeUndefined();
  });
});
