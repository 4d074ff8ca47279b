import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs module of the harness, without type declarations
import { importGuard } from '../../../runner/harness/import-guard.mjs';

/** Runs the plugin's resolveId the way vite would, returning the error message or null. */
function resolve(id: string, importer: string | undefined): string | null {
  const plugin = importGuard('/lab/labs/lab-00', ['src/*.ts']);
  try {
    plugin.resolveId.call({ error: (message: string) => { throw new Error(message); } }, id, importer);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('importGuard', () => {
  test.each(['vitest', '@vitest/expect', '@vitest/runner/utils', 'chai', 'vite', 'tinyspy', 'node:inspector', 'inspector/promises'])('a learner file may not import %s', (id) => {
    expect(resolve(id, '/lab/labs/lab-00/src/similarity.ts')).toBe(
      `src/similarity.ts imports "${id}": learner code may not import the test framework or the inspector. Remove the import; your code is graded by what it returns.`,
    );
  });

  test.each([
    ['vitest', '/lab/labs/lab-00/checks/similarity.test.ts'],
    ['vitest', '/lab/labs/lab-00/tests/similarity.test.ts'],
    ['node:fs', '/lab/labs/lab-00/src/similarity.ts'],
    ['./other.ts', '/lab/labs/lab-00/src/similarity.ts'],
    ['vitest-like-name', '/lab/labs/lab-00/src/similarity.ts'],
    ['vitest', undefined],
  ])('%s from %s is allowed', (id, importer) => {
    expect(resolve(id, importer)).toBeNull();
  });
});
