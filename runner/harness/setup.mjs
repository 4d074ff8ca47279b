// Runs in each test worker before the lab's tests. A check whose call into learner code is still
// running when the check ends (it hung past its time limit) costs that check only: the learner
// process is replaced, and the next check starts a fresh one.
import { afterAll, afterEach } from 'vitest';
import { learnerSession } from './boundary/learner.mjs';

afterEach(() => {
  learnerSession().afterCheck();
});

// Test files share the worker (isolate: false), never a learner process: each file starts its own.
afterAll(() => {
  learnerSession().stop();
});
