// Runs in each test worker before the lab's tests. vitest batches test results from a worker to
// the main process at most every 100 ms; if learner code then blocks the worker forever (a busy
// loop), results still in the batch would be lost. Starting each test at least ~100 ms after the
// previous batch went out makes vitest send it first, so finished checks survive a hang.
import { beforeEach } from 'vitest';

const FLUSH_MS = 105;
let lastStart = 0;

beforeEach(async () => {
  const since = Date.now() - lastStart;
  if (lastStart > 0 && since < FLUSH_MS) await new Promise((resolve) => setTimeout(resolve, FLUSH_MS - since));
  lastStart = Date.now();
});
