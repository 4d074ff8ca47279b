// The vitest config for `verify --mutation`. StrykerJS's vitest runner loads it in its own worker
// processes and runs the lab's public tests and checks against the instrumented solution, which
// the checks load in their own process (the trusted in-process path: learner.ts). Stryker sets
// the pool, the worker count and the reporters itself. Only ever for the lab author's solution.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { shared } from './vitest.config.mjs';

// Set before any worker starts, so every worker (and the checks' learner sessions in it) inherits it.
process.env.AILAB_BOUNDARY = 'in-process';
const labDir = process.env.AILAB_LAB_DIR;
if (!labDir) throw new Error('mutation.config.mjs: AILAB_LAB_DIR is not set (the lab folder in the run tree, e.g. labs/lab-00-warmup).');

export default defineConfig({
  ...shared,
  root: join(process.env.AILAB_RUN_ROOT, labDir),
  test: {
    ...shared.test,
    setupFiles: [...shared.test.setupFiles, fileURLToPath(new URL('./mutation-setup.mjs', import.meta.url))],
  },
});
