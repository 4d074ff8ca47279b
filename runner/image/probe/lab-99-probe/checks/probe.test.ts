import { describe, expect, test } from 'vitest';
import { add } from '../src/probe.ts';

describe('probe (hidden)', () => {
  test('a hidden check runs', () => {
    expect(add(-1, -2)).toBe(-3);
  });
});
