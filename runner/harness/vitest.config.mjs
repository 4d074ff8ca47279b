// The vitest config for every graded run. It lives in the run tree's .ailab/ folder, which the
// submission can never overwrite: only the lab's editable files come from the learner. vitest and
// its workers run only trusted code (the checks, the public tests, this harness); learner code
// runs in the learner process that the checks reach through #ailab/learner (.ailab/boundary/).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { AilabReporter } from './reporter.mjs';

const testTimeout = Number(process.env.AILAB_TEST_TIMEOUT_MS) || 10_000;
const workers = Math.max(1, Number(process.env.AILAB_WORKERS) || 1);

/**
 * A rerun of the checks that hit the per-check limit (run-checks.ts) runs their tests only. Each is
 * named as lab.yaml names it ("suite > test"); vitest matches a pattern against the names joined
 * by spaces, after the file's own (empty) suite name.
 */
function onlyTests() {
  const names = process.env.AILAB_ONLY_TESTS ? JSON.parse(process.env.AILAB_ONLY_TESTS) : [];
  if (names.length === 0) return undefined;
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^| )(?:${names.map((n) => escape(n.split(' > ').join(' '))).join('|')})$`);
}

// Whatever the checks' side writes is its own: in Docker the learner process runs as another user.
process.umask(0o077);
const privateTmp = mkdtempSync(join(tmpdir(), 'ailab-checks-'));
process.env.TMPDIR = privateTmp;
process.env.AILAB_RUN_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** What vitest sees of the run tree and how it runs the checks, shared with mutation.config.mjs. */
export const shared = {
  cacheDir: join(privateTmp, 'vite-cache'),
  logLevel: 'silent',
  server: { watch: null },
  test: {
    include: ['tests/**/*.test.ts', 'checks/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'solution/**', 'mutants/**'],
    isolate: false,
    globals: false,
    watch: false,
    allowOnly: false,
    passWithNoTests: true,
    testTimeout,
    testNamePattern: onlyTests(),
    hookTimeout: testTimeout,
    teardownTimeout: 2_000,
    setupFiles: [fileURLToPath(new URL('./setup.mjs', import.meta.url))],
    env: { TMPDIR: privateTmp },
  },
};

export default defineConfig({
  ...shared,
  test: { ...shared.test, pool: 'forks', maxWorkers: workers, reporters: [new AilabReporter()] },
});
