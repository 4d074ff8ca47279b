import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { demoCourse, demoManifest, removeTree, writeTree } from '../helpers/course.ts';

// A solution with a guard that changes nothing: `if (a === 0) return b;` gives a + b anyway, so
// StrykerJS's `if (false)` mutant of it survives every check. The real Stryker runs, twice.
const SOLUTION = 'export function add(a: number, b: number): number {\n  if (a === 0) return b;\n  return a + b;\n}\n';
const EQUIVALENT = `mutation:
  equivalent:
    - at: src/add.ts:2:7
      mutator: ConditionalExpression
      replacement: "false"
      why: For a = 0, a + b is b anyway.
`;

const root = writeTree(demoCourse({ 'labs/lab-07-demo/solution/src/add.ts': SOLUTION, 'labs/lab-07-demo/lab.yaml': demoManifest('mutation:\n  equivalent:\n    - at: src/add.ts:9\n      mutator: EqualityOperator\n      replacement: "a !== 0"\n      why: A stale entry.\n') }));
symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
afterAll(() => removeTree(root));

// --jobs 1: Stryker on one core, so the e2e files beside it (timed hostile fixtures) keep the other.
describe('verify --mutation (StrykerJS on the in-process solution)', () => {
  test('names the surviving mutant by file, line and replacement, flags a stale equivalent, and fails under min_score', async () => {
    const run = await ailab(['verify', '7', '--mutation', '--jobs', '1'], { env: { AILAB_ROOT: root } });
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^✗ lab-07 {2}mutation score 80\.00% \(min 90%; 4 detected, 1 survived, 0 equivalent of 5\)/m);
    expect(run.stdout).toContain('survived src/add.ts:2:7  ConditionalExpression → false');
    expect(run.stdout).toContain('error lab.yaml lists an equivalent mutant at src/add.ts:9 (EqualityOperator → `a !== 0`) that Stryker no longer makes');
    expect(run.stdout).toContain('report: .ailab/mutation/lab-07-demo/mutation.html');
    expect(readFileSync(join(root, '.ailab/mutation/lab-07-demo/mutation.html'), 'utf8')).toContain('<html');
    expect(JSON.parse(readFileSync(join(root, '.ailab/mutation/lab-07-demo/mutation.json'), 'utf8')).files).toHaveProperty(['labs/lab-07-demo/src/add.ts']);
    // Stryker's incremental file goes beside the patch mutants, which are never staged or released.
    // It is committed, so it names no path of this machine: not the course, not the run tree.
    const incremental = readFileSync(join(root, 'labs/lab-07-demo/mutants/stryker-incremental.json'), 'utf8');
    expect(JSON.parse(incremental).files).toHaveProperty(['labs/lab-07-demo/src/add.ts']);
    expect(incremental).not.toContain(root);
    expect(incremental).not.toContain('ailab-run-');
  });

  test('with the equivalent listed, scores 100 and prints the --json shape', async () => {
    writeFileSync(join(root, 'labs/lab-07-demo/lab.yaml'), demoManifest(EQUIVALENT));
    const run = await ailab(['verify', '7', '--mutation', '--json', '--jobs', '1'], { env: { AILAB_ROOT: root } });
    expect(run.exitCode, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { ok: boolean; labs: { id: string; mutation: Record<string, unknown> }[] };
    expect(out.ok).toBe(true);
    expect(out.labs).toHaveLength(1);
    expect(out.labs[0].id).toBe('lab-07');
    expect(out.labs[0].mutation).toMatchObject({ score: 100, killed: 4, timedOut: 0, survived: [], equivalent: 1, total: 5, errors: [] });
  });
});
