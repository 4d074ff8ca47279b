import { afterEach, expect, test } from 'vitest';
import { SandboxError } from '../../../runner/core/errors.ts';
import { learnerUid } from '../../../runner/sandbox/local.ts';

const saved = process.env.AILAB_LEARNER_UID;
afterEach(() => {
  if (saved === undefined) delete process.env.AILAB_LEARNER_UID;
  else process.env.AILAB_LEARNER_UID = saved;
});

test('unset, the learner runs as whoever runs ailab', () => {
  delete process.env.AILAB_LEARNER_UID;
  expect(learnerUid()).toBeUndefined();
});

test.each(['0', '-1', 'nobody', '1.5'])('AILAB_LEARNER_UID=%s is a sandbox error (exit 3), never a learner\'s failure', (value) => {
  process.env.AILAB_LEARNER_UID = value;
  expect(() => learnerUid()).toThrow(SandboxError);
  expect(() => learnerUid()).toThrow(/must be a user id above 0/);
});

test('a user id is taken as root, and refused otherwise: only root can start a process as another user', () => {
  process.env.AILAB_LEARNER_UID = '65534';
  if (process.getuid?.() === 0) expect(learnerUid()).toBe(65534);
  else expect(() => learnerUid()).toThrow(/needs ailab to run as root/);
});
