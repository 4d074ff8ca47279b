import { describe, expect, test } from 'vitest';
import { add } from '../src/probe.ts';

describe('probe', () => {
  test('a public test runs', () => {
    expect(add(1, 2)).toBe(3);
  });
});
