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
