import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { demoCourse, removeTree, writeTree } from '../helpers/course.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach(removeTree));

describe('check --reporter github', () => {
  test('writes a job summary to $GITHUB_STEP_SUMMARY and ::error annotations for failing checks', async () => {
    const root = writeTree(demoCourse({ 'labs/lab-07-demo/src/add.ts': 'export function add(a: number, b: number): number {\n  return a > 0 ? a + b : 0;\n}\n' }));
    roots.push(root);
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    const summary = join(root, 'step-summary.md');
    const run = await ailab(['check', '7', '--sandbox', 'local', '--reporter', 'github'], { env: { AILAB_ROOT: root, GITHUB_STEP_SUMMARY: summary } });
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^::error title=lab-07 add-negative \(fail%2C 0\/5\)::expected \+0 to be -3.*%0Ahint: Negative numbers too\.\n/);
    expect(run.stdout.match(/^::error /gm)).toHaveLength(1);
    expect(run.stdout).toContain('Score: 5/10 (50%)');
    expect(readFileSync(summary, 'utf8')).toContain(
      ['**Score: 5/10 (50%)**', '', '| | check | task | status | points |', '| --- | --- | --- | --- | --- |', '| ✅ | `add-small` | Addition | pass | 5/5 |', '| ❌ | `add-negative` (hidden) | Addition | fail | 0/5 |'].join('\n'),
    );
  });
});
