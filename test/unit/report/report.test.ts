import { describe, expect, test } from 'vitest';
import { renderJunit, xmlEscape } from '../../../runner/report/junit.ts';
import { renderTerminal } from '../../../runner/report/terminal.ts';
import { ResultsSchema, type Results } from '../../../runner/results/schema.ts';
import pc from 'picocolors';

const results: Results = ResultsSchema.parse({
  schemaVersion: 1,
  lab: { id: 'lab-07', title: 'Demo lab', version: '1' },
  submission: { source: 'workspace', sha256: 'a'.repeat(64), files: ['src/add.ts'] },
  status: 'fail',
  score: 5,
  maxScore: 10,
  tasks: [{ id: 'add', title: 'Addition', score: 5, maxScore: 10 }],
  checks: [
    { id: 'add-small', task: 'add', title: 'adds small numbers', test: 'add > adds small numbers', status: 'pass', points: 5, maxPoints: 5, visibility: 'public', durationMs: 2 },
    { id: 'add-negative', task: 'add', title: 'adds negative numbers', test: 'add > adds negative numbers', status: 'fail', points: 0, maxPoints: 5, visibility: 'hidden', message: 'expected -1 to be -3 <&>', hint: 'Negative numbers too.', durationMs: 3 },
  ],
  problems: [],
  sandbox: { kind: 'docker', image: 'ailab-sandbox:abc', exitCode: 1, timedOut: false, oomKilled: false, durationMs: 1234, limits: { timeout_s: 30, test_timeout_s: 10, memory_mb: 1024, cpus: 1, pids: 256, output_kb: 256 } },
  output: '',
  runner: { version: '0.1.0' },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
});

describe('terminal report', () => {
  test('plain output: a table per task, the failing check with message and hint, hidden totals, the score last', () => {
    expect(renderTerminal(results, pc.createColors(false))).toMatchInlineSnapshot(`
      "lab-07  Demo lab
      sandbox: docker (ailab-sandbox:abc), 1.2 s

      Addition  5/10
        ✓ add-small     adds small numbers            5/5
        ✗ add-negative  adds negative numbers hidden  0/5  fail
            expected -1 to be -3 <&>
            hint: Negative numbers too.

      Hidden checks: 1 (5 points), 0 passed (0 points).

      Score: 5/10 (50%)
      "
    `);
  });

  test('without colours there are no escape codes', () => {
    expect(renderTerminal(results, pc.createColors(false))).not.toMatch(/\u001b\[/);
  });
});

describe('junit report', () => {
  test('one testcase per check, failures carry message and hint, XML is escaped', () => {
    const xml = renderJunit(results);
    expect(xml).toContain('<testsuites name="lab-07" tests="2" failures="1" errors="0" time="1.234">');
    expect(xml).toContain('<testcase classname="lab-07.add" name="add-small: adds small numbers" time="0.002"/>');
    expect(xml).toContain('<failure message="fail (0/5 points)" type="fail">expected -1 to be -3 &lt;&amp;&gt;\nhint: Negative numbers too.</failure>');
  });

  test('drops characters XML cannot hold', () => {
    expect(xmlEscape('a\u0000b\u001bc"')).toBe('abc&quot;');
  });
});
