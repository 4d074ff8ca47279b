import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadLab } from '../../../runner/lab/load.ts';
import type { Frame } from '../../../runner/results/frames.ts';
import { wrongHints } from '../../../runner/lab/verify.ts';
import type { Results } from '../../../runner/results/schema.ts';
import { scoreChecks } from '../../../runner/results/score.ts';
import type { Outcome } from '../../../runner/sandbox/types.ts';
import { demoCourse, removeTree, writeTree } from '../../helpers/course.ts';

const root = writeTree(demoCourse());
afterAll(() => removeTree(root));
const lab = loadLab(join(root, 'labs/lab-07-demo'), root);

const outcome = (over: Partial<Outcome> = {}): Outcome => ({ kind: 'local', exitCode: 0, timedOut: false, oomKilled: false, durationMs: 1, stdout: '', stderr: '', ...over });
const test_ = (name: string, state: 'passed' | 'failed', message?: string): Frame => ({
  type: 'test',
  name,
  file: name.includes('negative') ? 'checks/add.test.ts' : 'tests/add.test.ts',
  state,
  durationMs: 2,
  errors: message ? [{ name: 'AssertionError', message }] : [],
});
/** A results object whose checks each test fills in. */
const results = { checks: [] } as unknown as Results;
const end: Frame = { type: 'end', reason: 'failed', modules: 2, unhandledErrors: [] };

describe('scoreChecks', () => {
  test('maps passes and failures onto the manifest, with the first hint rung', () => {
    const { checks } = scoreChecks(lab, { frames: [test_('add > adds small numbers', 'passed'), test_('add > adds negative numbers', 'failed', 'expected -1 to be -3'), end], forged: 0 }, outcome());
    expect(checks.map((c) => [c.id, c.status, c.points])).toEqual([['add-small', 'pass', 5], ['add-negative', 'fail', 0]]);
    expect(checks[1].message).toBe('expected -1 to be -3');
    expect(checks[1].hint).toBe('Negative numbers too.');
  });

  test('a check with no result is missing and never passes', () => {
    const { checks } = scoreChecks(lab, { frames: [test_('add > adds small numbers', 'passed')], forged: 0 }, outcome({ exitCode: 1 }));
    expect(checks[1]).toMatchObject({ status: 'missing', points: 0 });
    expect(checks[1].message).toContain('exit code 1');
  });

  test('a wall-clock timeout keeps finished checks and marks the rest timeout', () => {
    const { checks } = scoreChecks(lab, { frames: [test_('add > adds small numbers', 'passed')], forged: 0 }, outcome({ timedOut: true, exitCode: 137 }));
    expect(checks.map((c) => c.status)).toEqual(['pass', 'timeout']);
    expect(checks[1].message).toContain('time limit of 30 s (limits.timeout_s)');
  });

  test('a wall-clock timeout set by --timeout says so, not that it is the lab\'s own limit', () => {
    const shortened = { ...lab, manifest: { ...lab.manifest, limits: { ...lab.manifest.limits, timeout_s: 2 } } };
    const { checks } = scoreChecks(shortened, { frames: [test_('add > adds small numbers', 'passed')], forged: 0 }, outcome({ timedOut: true, exitCode: 137 }), { overrides: { timeout_s: 2 } });
    expect(checks[1].message).toContain('the time limit of 2 s set by --timeout 2 on the command line');
    expect(checks[1].message).not.toContain("lab's time limit");
  });

  test("a check gets the load error of its own file, found by its title, when several files failed", () => {
    const frames: Frame[] = [
      { type: 'module', file: 'checks/a.test.ts', errors: [{ name: 'Error', message: 'a failed to load' }] },
      { type: 'module', file: 'checks/add.test.ts', errors: [{ name: 'Error', message: 'add failed to load' }] },
      test_('add > adds small numbers', 'passed'),
      end,
    ];
    const fileOf = (t: string) => (t.endsWith('adds negative numbers') ? 'checks/add.test.ts' : undefined);
    const { checks } = scoreChecks(lab, { frames, forged: 0 }, outcome(), { fileOf });
    expect(checks[1].message).toContain('add failed to load');
    expect(scoreChecks(lab, { frames, forged: 0 }, outcome()).checks[1].message).toContain('a failed to load'); // without it, the first of its folder
  });

  test('a per-test timeout names the per-test limit', () => {
    const { checks } = scoreChecks(lab, { frames: [test_('add > adds small numbers', 'failed', 'Test timed out in 10000ms.'), end], forged: 0 }, outcome());
    expect(checks[0].status).toBe('timeout');
    expect(checks[0].message).toContain('per-test limit of 10 s (limits.test_timeout_s)');
  });

  test('the checks that hit the per-check limit are listed with their file, for their rerun; a wrong answer is not', () => {
    const frames: Frame[] = [test_('add > adds small numbers', 'failed', 'Test timed out in 10000ms.'), test_('add > adds negative numbers', 'failed', 'expected -1 to be -3'), end];
    expect(scoreChecks(lab, { frames, forged: 0 }, outcome()).limited).toEqual([{ id: 'add-small', file: 'tests/add.test.ts' }]);
  });

  test("loading the learner's module past the per-check limit is a timeout of each check of that file, listed for the rerun", () => {
    const late = 'Loading src/add.ts took longer than the per-test limit of 10 s (limits.test_timeout_s): look for a loop that never ends, or a promise that never settles, in code that runs when the module loads.';
    const frames: Frame[] = [{ type: 'module', file: 'checks/add.test.ts', errors: [{ name: 'LearnerTimeoutError', message: late }] }, test_('add > adds small numbers', 'passed'), end];
    const { checks, limited } = scoreChecks(lab, { frames, forged: 0 }, outcome());
    expect(checks[1]).toMatchObject({ status: 'timeout', points: 0, message: `Its test file could not run, so none of its checks did:\nLearnerTimeoutError: ${late}` });
    expect(limited).toEqual([{ id: 'add-negative', file: 'checks/add.test.ts' }]);
  });

  test('a per-test timeout set by --test-timeout says so', () => {
    const { checks } = scoreChecks(lab, { frames: [test_('add > adds small numbers', 'failed', 'Test timed out in 3000ms.'), end], forged: 0 }, outcome(), { overrides: { test_timeout_s: 3 } });
    expect(checks[0].message).toContain('per-test limit of 3 s (set by --test-timeout on the command line)');
  });

  test('a file that fails to load makes its checks errors with the cause, without naming a hidden file', () => {
    const frames: Frame[] = [{ type: 'module', file: 'checks/add.test.ts', errors: [{ name: 'SyntaxError', message: 'Unexpected token' }] }, test_('add > adds small numbers', 'passed'), end];
    const { checks } = scoreChecks(lab, { frames, forged: 0 }, outcome());
    expect(checks[1].status).toBe('error');
    expect(checks[1].message).toBe('Its test file could not run, so none of its checks did:\nSyntaxError: Unexpected token');
  });

  test('an unmapped test is an authoring error, and imitation frames are reported', () => {
    const { problems } = scoreChecks(lab, { frames: [test_('add > surprise', 'passed'), end], forged: 2 }, outcome());
    expect(problems).toEqual([
      'authoring error: the test "add > surprise" (tests/add.test.ts) is not mapped by any check in lab.yaml',
      "ignored 2 line(s) of output that imitated the runner's result frames",
    ]);
  });

  test('rewrites vitest import names in "is not a function" errors', () => {
    const { checks } = scoreChecks(lab, { frames: [test_('add > adds small numbers', 'failed', '(0 , __vi_import_0__.add) is not a function'), end], forged: 0 }, outcome());
    expect(checks[0].message).toBe('add is not a function: is it exported from your file under exactly that name?');
  });

  test('a failure that names a hint key gets that hint, with the marker taken out of its message; an unknown key is an authoring error', () => {
    const keyed = { ...lab, checks: lab.checks.map((c) => (c.id === 'add-negative' ? { ...c, hint_when: { sign: 'The sign is lost: keep it.' } } : c)) };
    const frames = (key: string): Frame[] => [test_('add > adds small numbers', 'passed'), test_('add > adds negative numbers', 'failed', `sum: got 1, expected -1 [hint: ${key}]`), end];
    const known = scoreChecks(keyed, { frames: frames('sign'), forged: 0 }, outcome());
    expect(known.checks[1]).toMatchObject({ message: 'sum: got 1, expected -1', hint: 'The sign is lost: keep it.' });
    expect(known.problems).toEqual([]);
    const unknown = scoreChecks(keyed, { frames: frames('overflow'), forged: 0 }, outcome());
    expect(unknown.checks[1]).toMatchObject({ message: 'sum: got 1, expected -1', hint: 'Negative numbers too.' });
    expect(unknown.problems).toEqual(['authoring error: check add-negative failed with hint key "overflow", which its hint_when in lab.yaml does not have']);
  });

  test('a check whose worker died before it reported is an error that says so, not "did not run"', () => {
    const died: Frame = { type: 'end', reason: 'failed', modules: 2, unhandledErrors: [{ name: 'Error', message: '[vitest-pool]: Worker forks emitted error.' }] };
    const { checks } = scoreChecks(lab, { frames: [test_('add > adds small numbers', 'passed'), died], forged: 0 }, outcome({ exitCode: 1 }));
    expect(checks[1]).toMatchObject({ status: 'error', message: 'The test worker stopped before this check reported a result (Worker forks emitted error). Does your code kill a process or call process.exit()?' });
  });

  test("verify holds a mutant to the hint it names: the cause's hint passes, the ladder's first rung is reported", () => {
    const keyed = { ...lab, checks: lab.checks.map((c) => (c.id === 'add-negative' ? { ...c, hint_when: { sign: 'The sign is lost: keep it.' } } : c)) };
    const run = (message: string) => ({ ...results, checks: scoreChecks(keyed, { frames: [test_('add > adds small numbers', 'passed'), test_('add > adds negative numbers', 'failed', message), end], forged: 0 }, outcome()).checks });
    const mutant = { why: 'drops the sign', kills: ['add-negative'], hints: { 'add-negative': 'sign' } };
    expect(wrongHints(keyed, mutant, run('sum: got 1, expected -1 [hint: sign]'))).toEqual([]);
    expect(wrongHints(keyed, mutant, run('sum: got 1, expected -1'))).toEqual(['add-negative should give its "sign" hint, but gave: Negative numbers too. (message: sum: got 1, expected -1)']);
  });
});
