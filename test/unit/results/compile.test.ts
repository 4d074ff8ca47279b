import { describe, expect, test } from 'vitest';
import { codeFrame, syntaxErrors } from '../../../runner/results/compile.ts';

describe('syntaxErrors', () => {
  test("finds each source file's first syntax error with TypeScript's parser, with line, column and a framed caret", async () => {
    const files = new Map([
      ['src/b.ts', Buffer.from('export const x = 1;\nexport function f(a: number {\n  return a;\n}\n')],
      ['src/a.ts', Buffer.from('export const ok: number = 1;\n')],
      ['src/data.json', Buffer.from('{ not json')],
    ]);
    const errors = await syntaxErrors(files);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'src/b.ts', line: 2, column: 29, message: "TS1005: ',' expected." });
    expect(errors[0].frame).toBe(['  1 | export const x = 1;', '> 2 | export function f(a: number {', '    |                             ^', '  3 |   return a;'].join('\n'));
  });

  test('type errors are not syntax errors: a file that parses has none', async () => {
    expect(await syntaxErrors(new Map([['src/a.ts', Buffer.from("export const n: number = 'x';\n")]]))).toEqual([]);
  });
});

describe('codeFrame', () => {
  test('keeps tabs under the caret aligned, and clips at the start and end of the file', () => {
    expect(codeFrame('\tlet = ;', 1, 6)).toBe(['> 1 | \tlet = ;', '    | \t    ^'].join('\n'));
  });
});
