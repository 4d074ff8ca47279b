import { symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { TypeChecker, typeErrors } from '../../../runner/results/types.ts';
import { ROOT } from '../../helpers/cli.ts';
import { removeTree, writeTree } from '../../helpers/course.ts';

// A throwaway lab folder with a course file the learner never edits; node_modules is the repo's.
const root = writeTree({
  'labs/demo/src/course.ts': "export function bytes(text: string): Buffer {\n  return Buffer.from(text);\n}\nexport const answer: number = 42;\n",
});
symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
const labDir = join(root, 'labs/demo');
afterAll(() => removeTree(root));

const job = (text: string) => ({ root, labDir, files: { 'src/mine.ts': text }, max: 10 });
const messages = (found: { line: number; message: string }[] | undefined) => found?.map((e) => `${e.line}: ${e.message}`);

describe('type errors', () => {
  test('a plain type error in code that needs no Node types', async () => {
    const found = await typeErrors(job("export const n: number = 'one';\n"));
    expect(messages(found)).toEqual(["1: TS2322: Type 'string' is not assignable to type 'number'."]);
    expect(found?.[0].frame).toContain('^');
  });

  test("code that uses Node's names and modules is checked with Node's types: no error where there is none", async () => {
    expect(await typeErrors(job("import { readFileSync } from 'node:fs';\nexport const t = setTimeout(() => readFileSync('x'), 1);\nexport const b: Buffer = Buffer.from('x');\n"))).toEqual([]);
  });

  test("an error that only Node's types reveal is still found: the quick pass without them is trusted only when nothing at all fails", async () => {
    // Without @types/node, bytes() returns an unknown type that is assignable to anything.
    const found = await typeErrors(job("import { bytes } from './course.ts';\nexport const s: string = bytes('x');\n"));
    expect(messages(found)).toEqual(["2: TS2322: Type 'Buffer<ArrayBufferLike>' is not assignable to type 'string'."]);
  });

  test('a kept checker sees each new version of the files, and a course file changed on disk', async () => {
    const checker = new TypeChecker(root);
    try {
      expect(messages(await checker.check(job("import { answer } from './course.ts';\nexport const n: number = answer;\n")))).toEqual([]);
      expect(messages(await checker.check(job("import { answer } from './course.ts';\nexport const n: string = answer;\n")))).toEqual(["2: TS2322: Type 'number' is not assignable to type 'string'."]);
      writeFileSync(join(labDir, 'src/course.ts'), "export const answer: string = 'forty-two';\n");
      const later = new Date(Date.now() + 5000);
      utimesSync(join(labDir, 'src/course.ts'), later, later);
      expect(messages(await checker.check(job("import { answer } from './course.ts';\nexport const n: string = answer;\n")))).toEqual([]);
      // A job past its time limit gives no answer, and costs only that job.
      expect(await checker.check(job('export const late: number = 1;\n'), 1)).toBeUndefined();
      expect(messages(await checker.check(job("export const n: number = 'one';\n")))).toEqual(["1: TS2322: Type 'string' is not assignable to type 'number'."]);
    } finally {
      checker.close();
    }
  });
});
