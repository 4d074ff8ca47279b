// The vitest config for every graded run. It lives in the run tree's .ailab/ folder, which the
// submission can never overwrite: only the lab's editable files come from the learner.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { AilabReporter } from './reporter.mjs';
import { KEY_NAME } from './attest.mjs';
import { importGuard } from './import-guard.mjs';
import { workerLockdown } from './worker-lockdown.mjs';

const testTimeout = Number(process.env.AILAB_TEST_TIMEOUT_MS) || 10_000;
const workers = Math.max(1, Number(process.env.AILAB_WORKERS) || 1);
const lockdown = workerLockdown(fileURLToPath(new URL('..', import.meta.url)));
// Each passing result must carry an HMAC under this key, made from the latched verdict inside the
// worker; a result rewritten on its way to this process can't carry a valid one.
const attestKey = randomBytes(32).toString('hex');

export default defineConfig({
  cacheDir: join(tmpdir(), 'ailab-vite-cache'),
  logLevel: 'silent',
  server: { watch: null },
  plugins: [importGuard(process.cwd(), JSON.parse(process.env.AILAB_EDITABLE || '[]'))],
  test: {
    include: ['tests/**/*.test.ts', 'checks/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'solution/**', 'mutants/**'],
    pool: 'forks',
    maxWorkers: workers,
    isolate: true,
    globals: false,
    watch: false,
    allowOnly: false,
    passWithNoTests: true,
    testTimeout,
    hookTimeout: testTimeout,
    teardownTimeout: 2_000,
    setupFiles: [fileURLToPath(new URL('./setup.mjs', import.meta.url))],
    reporters: [new AilabReporter(attestKey)],
    provide: { [KEY_NAME]: attestKey },
    execArgv: lockdown.execArgv,
    env: lockdown.env,
  },
});
