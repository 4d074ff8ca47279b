import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Docker from 'dockerode';
import { describe, expect, test } from 'vitest';
import { ResultsSchema } from '../../runner/results/schema.ts';
import { ailab, ROOT } from '../helpers/cli.ts';

interface Golden {
  status: 'pass' | 'fail' | 'error';
  score?: number;
  maxScore?: number;
  timeout_s?: number;
  checks?: Record<string, string>;
  message?: string;
  problem?: string;
}

/** Every fixture submission with an expected.json, grouped by outcome folder. */
function fixtures(lab: string): { name: string; dir: string; golden: Golden }[] {
  const base = join(ROOT, 'fixtures/submissions', lab);
  const found: { name: string; dir: string; golden: Golden }[] = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, 'expected.json'))) {
      found.push({ name: relative(base, dir), dir, golden: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) });
      return;
    }
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(base);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

const cases = fixtures('lab-00');

describe.each(['docker', 'local'])('lab-00 fixture submissions through the real CLI (%s sandbox)', (sandbox) => {
  test('there is a fixture for every outcome group', () => {
    expect(cases.map((c) => c.name)).toEqual(['error/missing-export', 'error/syntax', 'fail/partial', 'hostile/exit-early', 'hostile/fake-report', 'pass', 'timeout/infinite-loop']);
  });

  test.each(cases)('$name', async ({ dir, golden }) => {
    const args = ['check', 'lab-00', '--submission', dir, '--json', '--sandbox', sandbox];
    if (golden.timeout_s) args.push('--timeout', String(golden.timeout_s));
    const run = await ailab(args);
    expect(run.exitCode, run.stderr).toBe(golden.status === 'pass' ? 0 : 1);
    const results = ResultsSchema.parse(JSON.parse(run.stdout));
    expect(results.sandbox.kind).toBe(sandbox);
    expect(results.status).toBe(golden.status);
    if (golden.score !== undefined) expect(results.score).toBe(golden.score);
    if (golden.maxScore !== undefined) expect(results.score).toBeLessThanOrEqual(golden.maxScore);
    for (const [id, status] of Object.entries(golden.checks ?? {})) {
      expect(results.checks.find((c) => c.id === id)?.status, id).toBe(status);
    }
    if (golden.message) expect(results.checks.map((c) => c.message ?? '').join('\n')).toContain(golden.message);
    if (golden.problem) expect(results.problems.join('\n')).toContain(golden.problem);
    if (sandbox === 'local') expect(run.stderr).toContain('NOT isolated');
    if (sandbox === 'docker') {
      const left = await new Docker().listContainers({ all: true, filters: { label: ['ailab=1'] } });
      expect(left, 'containers left behind').toEqual([]);
    }
  });
});

test('the terminal report ends with the score and shows hints for failing checks', async () => {
  const run = await ailab(['check', 'lab-00', '--submission', join(ROOT, 'fixtures/submissions/lab-00/fail/partial')]);
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toContain('✗ topk-ties');
  expect(run.stdout).toContain('hint: Two items with the same score');
  expect(run.stdout).toContain('Hidden checks: 8 (70 points), 6 passed (55 points).');
  expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('Score: 85/100 (85%)');
  expect(run.stdout).not.toMatch(/\u001b\[/);
});

test('--reporter junit writes JUnit XML', async () => {
  const run = await ailab(['check', 'lab-00', '--solution', '--reporter', 'junit']);
  expect(run.exitCode).toBe(0);
  expect(run.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="lab-00" tests="11" failures="0" errors="0"/);
});
