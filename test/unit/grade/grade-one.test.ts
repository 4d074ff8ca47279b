import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { SandboxError } from '../../../runner/core/errors.ts';
import { gradeEntry } from '../../../runner/grade/grade-one.ts';
import { loadLab } from '../../../runner/lab/load.ts';
import type { Sandbox } from '../../../runner/sandbox/types.ts';
import { demoCourse, removeTree, writeTree } from '../../helpers/course.ts';

const root = writeTree(demoCourse());
afterAll(() => removeTree(root));
const lab = loadLab(join(root, 'labs/lab-07-demo'), root);
const entry = { student: 'alice', path: join(root, 'labs/lab-07-demo/solution'), kind: 'folder' as const };

describe('grading one student when the sandbox breaks', () => {
  test('retries once after the sandbox recovers, then records an error that is not the student\'s fault', async () => {
    const events: string[] = [];
    const sandbox: Sandbox = {
      kind: 'docker',
      run: async () => {
        events.push('run');
        throw new SandboxError('E_SANDBOX', 'The Docker sandbox failed: connect ECONNREFUSED');
      },
      recover: async () => {
        events.push('recover');
        return true;
      },
    };
    const notices: string[] = [];
    const { results, reused } = await gradeEntry({ lab, root, entry, sandbox, onNotice: (t) => notices.push(t) });
    expect(reused).toBe(false);
    expect(events).toEqual(['run', 'recover', 'run', 'recover']); // the retry waits for recovery; leftovers are cleaned after both
    expect(results.status).toBe('error');
    expect(results.score).toBe(0);
    expect(results.sandbox.failure).toBe('The Docker sandbox failed: connect ECONNREFUSED');
    expect(results.problems[0]).toBe("Infrastructure failure, not the student's fault: the sandbox failed twice (The Docker sandbox failed: connect ECONNREFUSED). Grade again with --resume.");
    expect(notices).toEqual([
      'alice: The Docker sandbox failed: connect ECONNREFUSED (grading again once the sandbox answers)',
      'alice: The Docker sandbox failed: connect ECONNREFUSED',
      "alice: recorded as an error (not the student's fault)",
    ]);
  });

  test('a learner failure is never retried: only sandbox errors are', async () => {
    let runs = 0;
    const sandbox: Sandbox = {
      kind: 'docker',
      run: async () => {
        runs++;
        throw new Error('a bug, not the sandbox');
      },
    };
    await expect(gradeEntry({ lab, root, entry, sandbox })).rejects.toThrow('a bug, not the sandbox');
    expect(runs).toBe(1);
  });
});
