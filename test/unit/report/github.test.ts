import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { demoResults } from '../../helpers/results.ts';
import { escapeData, escapeProperty, renderAnnotations, renderGithub, renderSummary } from '../../../runner/report/github.ts';
import { REPORTER_NAMES } from '../../../runner/report/index.ts';

const results = demoResults('expected -1 to be -3\n100% | wrong');

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
