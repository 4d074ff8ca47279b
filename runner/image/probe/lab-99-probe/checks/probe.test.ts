import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Probe from '../src/probe.ts';

const { add } = await learner<typeof Probe>('src/probe.ts');

describe('probe (hidden)', () => {
  test('a hidden check runs', async () => {
    expect(await add(-1, -2)).toBe(-3);
  });
});
