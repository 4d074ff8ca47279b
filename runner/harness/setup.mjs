// Runs in each test worker before the lab's tests and before any learner module loads. It does
// two jobs: it keeps finished results flowing when learner code later hangs the worker, and it
// locks down the test framework so learner code sharing the worker can't forge a pass.
import { afterEach, beforeEach } from 'vitest';
import { attest, checkIntegrity, guardTest, lockDown, takeKey } from './tamper.mjs';

takeKey(globalThis.__vitest_worker__);
lockDown();

// vitest batches test results from a worker to the main process at most every 100 ms; if learner
// code then blocks the worker forever (a busy loop), results still in the batch would be lost.
// Starting each test at least ~100 ms after the previous batch went out makes vitest send it
// first, so finished checks survive a hang.
const FLUSH_MS = 105;
let lastStart = 0;

beforeEach(async (context) => {
  guardTest(context.task);
  const since = Date.now() - lastStart;
  if (lastStart > 0 && since < FLUSH_MS) await new Promise((resolve) => setTimeout(resolve, FLUSH_MS - since));
  lastStart = Date.now();
});

// Registered first, so it runs after every afterEach hook of the lab's own files.
afterEach((context) => {
  try {
    checkIntegrity();
  } finally {
    attest(context.task);
  }
});
