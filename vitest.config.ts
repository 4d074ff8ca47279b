import { defineConfig } from 'vitest/config';

// The project's own tests. Lab checks never run through this config: the runner stages them
// with runner/harness/vitest.config.mjs instead.

/**
 * An e2e test's limit. CI's machine ran the e2e project 1.6x slower than a development one
 * (1634 s against 1050 s), and a test written against 180 s was killed there: 360 s leaves
 * room for that and as much again.
 * test/helpers/cli.ts kills a CLI run 10 s before it.
 */
const E2E_MS = 360_000;

/** e2e files that drive a terminal (tmux) or time what a learner sees: they run alone, after the rest. */
const SERIAL = ['test/e2e/watch.test.ts', 'test/e2e/learner-mistakes.test.ts', 'test/e2e/progress.test.ts', 'test/e2e/reset.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        // Two files at a time, one per core: each runs sandboxes of its own.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: SERIAL,
          testTimeout: E2E_MS,
          hookTimeout: E2E_MS,
          maxWorkers: 2,
          maxConcurrency: 3, // test.concurrent runs within a file
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e-serial',
          include: SERIAL,
          testTimeout: E2E_MS,
          hookTimeout: E2E_MS,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
