import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { escapeData, escapeProperty, renderAnnotations, renderGithub, renderSummary } from '../../../runner/report/github.ts';
import { REPORTER_NAMES } from '../../../runner/report/index.ts';
import { ResultsSchema } from '../../../runner/results/schema.ts';

const results = ResultsSchema.parse({
  schemaVersion: 1,
  lab: { id: 'lab-07', title: 'Demo lab', version: '1' },
  submission: { source: 'workspace', sha256: 'a'.repeat(64), files: ['src/add.ts'] },
  status: 'fail',
  score: 5,
  maxScore: 10,
  tasks: [{ id: 'add', title: 'Addition', score: 5, maxScore: 10 }],
  checks: [
    { id: 'add-small', task: 'add', title: 'adds small numbers', test: 'add > adds small numbers', status: 'pass', points: 5, maxPoints: 5, visibility: 'public', durationMs: 2 },
    { id: 'add-negative', task: 'add', title: 'adds negative numbers', test: 'add > adds negative numbers', status: 'fail', points: 0, maxPoints: 5, visibility: 'hidden', message: 'expected -1 to be -3\n100% | wrong', hint: 'Negative numbers too.', durationMs: 3 },
  ],
  problems: [],
  sandbox: { kind: 'docker', image: 'ailab-sandbox:abc', exitCode: 1, timedOut: false, oomKilled: false, durationMs: 1234, limits: { timeout_s: 30, test_timeout_s: 10, memory_mb: 1024, cpus: 1, pids: 256, output_kb: 256 } },
  output: '',
  runner: { version: '0.1.0' },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
});

describe('github reporter', () => {
  test('is registered by name', () => {
    expect(REPORTER_NAMES).toContain('github');
  });

  test('escapes workflow-command data and properties', () => {
    expect(escapeData('50%\r\nnext')).toBe('50%25%0D%0Anext');
    expect(escapeProperty('a: b, c')).toBe('a%3A b%2C c');
  });

  test('one ::error annotation per failing check, with message and hint', () => {
    expect(renderAnnotations(results)).toBe('::error title=lab-07 add-negative (fail%2C 0/5)::expected -1 to be -3%0A100%25 | wrong%0Ahint: Negative numbers too.\n');
  });

  test('the job summary is a Markdown table of every check', () => {
    expect(renderSummary(results)).toMatchInlineSnapshot(`
      "## lab-07: Demo lab

      **Score: 5/10 (50%)**

      | | check | task | status | points |
      | --- | --- | --- | --- | --- |
      | ✅ | \`add-small\` | Addition | pass | 5/5 |
      | ❌ | \`add-negative\` (hidden) | Addition | fail | 0/5 |

      "
    `);
  });

  test('appends the summary to $GITHUB_STEP_SUMMARY and prints annotations then the plain report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ailab-gh-'));
    try {
      const file = join(dir, 'summary.md');
      const text = renderGithub(results, { GITHUB_STEP_SUMMARY: file });
      renderGithub(results, { GITHUB_STEP_SUMMARY: file });
      expect(readFileSync(file, 'utf8')).toBe(renderSummary(results).repeat(2)); // appended, as GitHub expects
      expect(text.startsWith('::error title=lab-07 add-negative')).toBe(true);
      expect(text).toContain('Score: 5/10 (50%)');
      expect(text).not.toMatch(/\u001b\[/);
      expect(renderGithub(results, {})).toBe(text); // no summary file outside Actions
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
