import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { closest, COMMANDS } from '../../../runner/cli.ts';
import { labJsonSchema, SCHEMA_PATH } from '../../../runner/commands/schema.ts';
import { colorEnabled } from '../../../runner/ui/colors.ts';

describe('cli', () => {
  test('a typo suggests the closest command', () => {
    expect(closest('chek', Object.keys(COMMANDS))).toBe('check');
    expect(closest('verfy', Object.keys(COMMANDS))).toBe('verify');
    expect(closest('zzzzzz', Object.keys(COMMANDS))).toBeUndefined();
  });

  test('the checked-in lab.yaml JSON Schema is generated from the zod schema', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(labJsonSchema());
  });
});

describe('colours', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  test.each([
    [{ NO_COLOR: '1' }, false],
    [{ CI: 'true' }, false],
    [{ FORCE_COLOR: '1', CI: 'true' }, true],
    [{}, true],
  ])('env %j gives colour %s on a terminal', (env, want) => {
    const saved = { ...process.env };
    delete process.env.NO_COLOR;
    delete process.env.CI;
    delete process.env.FORCE_COLOR;
    Object.assign(process.env, env, { TERM: 'xterm' });
    try {
      expect(colorEnabled(tty)).toBe(want);
    } finally {
      process.env = saved;
    }
  });

  test('never colours a pipe', () => {
    expect(colorEnabled({ isTTY: false } as NodeJS.WriteStream)).toBe(false);
  });
});

describe('limit overrides', () => {
  test('--timeout and --test-timeout become limits, in seconds; neither given overrides nothing', async () => {
    const { limitsOverride } = await import('../../../runner/commands/options.ts');
    expect(limitsOverride({})).toEqual({});
    expect(limitsOverride({ timeout: '30' })).toEqual({ timeout_s: 30 });
    expect(limitsOverride({ timeout: '90', 'test-timeout': '12.5' })).toEqual({ timeout_s: 90, test_timeout_s: 12.5 });
  });

  test.each([['timeout', 'soon'], ['test-timeout', '0'], ['test-timeout', '-3'], ['timeout', '3601'], ['test-timeout', '']])('--%s %j is a usage error that names the flag and the range', async (flag, value) => {
    const { limitsOverride } = await import('../../../runner/commands/options.ts');
    expect(() => limitsOverride({ [flag]: value })).toThrow(`--${flag} must be a number of seconds between 1 and 3600, not "${value}".`);
  });
});

describe('whole-number options', () => {
  test('--jobs, --shards and the like: absent is undefined, 1 to max is the number, anything else a usage error naming the flag', async () => {
    const { wholeNumber } = await import('../../../runner/commands/options.ts');
    expect(wholeNumber('jobs', undefined, 64)).toBeUndefined();
    expect(wholeNumber('jobs', '64', 64)).toBe(64);
    for (const bad of ['0', '65', '2.5', 'two', '']) expect(() => wholeNumber('jobs', bad, 64)).toThrow(`--jobs must be a whole number from 1 to 64, not "${bad}".`);
  });
});
