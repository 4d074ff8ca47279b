import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadLab, loadMutants, mutantFiles } from '../../runner/lab/load.ts';

/** Writes a throwaway project from an object literal of path → content; returns its root. */
export function writeTree(files: Record<string, string>, root = mkdtempSync(join(tmpdir(), 'ailab-test-'))): string {
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return root;
}

/** Removes a tree made by writeTree. */
export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** A minimal valid lab.yaml for lab-07-demo, with overrides spliced in as raw YAML. */
export function demoManifest(extra = ''): string {
  return `format: 1
id: lab-07
slug: demo
title: Demo lab
summary: A lab made up for the runner's own tests.
difficulty: easy
estimated_minutes: 5
files: ["src/add.ts"]
limits:
  timeout_s: 30
tasks:
  - id: add
    title: Addition
    checks:
      - id: add-small
        test: "add > adds small numbers"
        points: 5
        visibility: public
        hint: "Use +."
      - id: add-negative
        test: "add > adds negative numbers"
        points: 5
        visibility: hidden
        hint: ["Negative numbers too.", "Still +."]
${extra}`;
}

/** A complete demo course: one lab with a starter, a solution, a public test and a hidden check. */
export function demoCourse(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    'package.json': '{"name":"demo-course","private":true,"type":"module"}\n',
    'labs/lab-07-demo/lab.yaml': demoManifest(),
    'labs/lab-07-demo/src/add.ts': "export function add(a: number, b: number): number {\n  throw new Error('TODO');\n}\n",
    'labs/lab-07-demo/solution/src/add.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
    'labs/lab-07-demo/tests/add.test.ts': "import { describe, expect, test } from 'vitest';\nimport { add } from '../src/add.ts';\ndescribe('add', () => {\n  test('adds small numbers', () => expect(add(1, 2)).toBe(3));\n});\n",
    'labs/lab-07-demo/checks/add.test.ts': "import { describe, expect, test } from 'vitest';\nimport { add } from '../src/add.ts';\ndescribe('add', () => {\n  test('adds negative numbers', () => expect(add(-1, -2)).toBe(-3));\n});\n",
    ...overrides,
  };
}

/** Writes a lab's solution with one of its mutants applied into `dir`, as a learner's folder. */
export function writeMutantSubmission(labDir: string, mutant: string, dir: string): void {
  const root = join(labDir, '..', '..');
  const m = loadMutants(loadLab(labDir, root), root).find((x) => x.name === mutant);
  if (!m) throw new Error(`${labDir} has no mutant ${mutant}`);
  cpSync(join(labDir, 'solution'), dir, { recursive: true });
  const solution = new Map(m.patches.map(({ file }) => [file, readFileSync(join(labDir, 'solution', file))]));
  for (const [file, content] of mutantFiles(m, solution, root)) writeFileSync(join(dir, file), content);
}
