import { describe, expect, test } from 'vitest';
import { describeError } from '../../../runner/results/messages.ts';

describe('describeError', () => {
  test("a custom message stands alone when chai only adds that a boolean was wrong, and its diff goes", () => {
    const message = describeError({ name: 'AssertionError', message: 'D: got 0.32, expected 0.19: expected false to be true // Object.is equality', diff: '- Expected\n+ Received\n\n- true\n+ false' });
    expect(message).toBe('D: got 0.32, expected 0.19');
  });

  test("a custom message with chai's values keeps them, without the Object.is note", () => {
    const message = describeError({ name: 'AssertionError', message: "col age: kind: expected 'numeric' to be 'categorical' // Object.is equality", diff: "- Expected\n+ Received\n\n- categorical\n+ numeric" });
    expect(message).toBe("col age: kind: expected 'numeric' to be 'categorical'\n- Expected\n+ Received\n\n- categorical\n+ numeric");
  });

  test("a learner's own error is left as it is, even when it reads like an assertion", () => {
    expect(describeError({ name: 'RangeError', message: 'lengths: expected true to be false' })).toBe('RangeError: lengths: expected true to be false');
  });
});
