import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { AilabError } from '../../../runner/core/errors.ts';
import { loadLab, loadMutants, mutantFiles } from '../../../runner/lab/load.ts';
import { findLabDir, resolveLab } from '../../../runner/lab/resolve.ts';
import { demoCourse, demoManifest, removeTree, writeTree } from '../../helpers/course.ts';

let root = '';
afterEach(() => removeTree(root));

function loadError(files: Record<string, string>): AilabError {
  root = writeTree(demoCourse(files));
  try {
    loadLab(join(root, 'labs/lab-07-demo'), root);
  } catch (error) {
    return error as AilabError;
  }
  throw new Error('expected loadLab to throw');
}

describe('loadLab', () => {
  test('loads a valid manifest with defaults filled in', () => {
    root = writeTree(demoCourse());
    const lab = loadLab(join(root, 'labs/lab-07-demo'), root);
    expect(lab.manifest.limits).toEqual({ timeout_s: 30, test_timeout_s: 10, memory_mb: 1024, cpus: 1, pids: 256, output_kb: 256 });
    expect(lab.checks.map((c) => [c.id, c.task])).toEqual([['add-small', 'add'], ['add-negative', 'add']]);
    expect(lab.maxScore).toBe(10);
    expect(lab.manifest.starter_ceiling).toBe(10);
  });

  test('reports a bad field as path: message', () => {
    const error = loadError({ 'labs/lab-07-demo/lab.yaml': demoManifest().replace('points: 5\n        visibility: public', 'points: -2\n        visibility: public') });
    expect(error.code).toBe('E_MANIFEST');
    expect(error.message).toBe('labs/lab-07-demo/lab.yaml: tasks[0].checks[0].points: expected a positive number');
  });

  test('reports every problem, including unknown keys and wrong types', () => {
    const yaml = demoManifest().replace('difficulty: easy', 'difficulty: extreme\ncolour: blue').replace('points: 5\n        visibility: hidden', 'points: "five"\n        visibility: hidden');
    const error = loadError({ 'labs/lab-07-demo/lab.yaml': yaml });
    const lines = error.message.split('\n');
    expect(lines).toContain('labs/lab-07-demo/lab.yaml: (root): unknown key "colour"');
    expect(lines.some((l) => l.startsWith('labs/lab-07-demo/lab.yaml: difficulty: '))).toBe(true);
    expect(lines).toContain('labs/lab-07-demo/lab.yaml: tasks[0].checks[1].points: expected a positive number');
  });

  test('reports YAML syntax errors with a line number', () => {
    const error = loadError({ 'labs/lab-07-demo/lab.yaml': 'format: 1\ntasks: [\n' });
    expect(error.code).toBe('E_MANIFEST');
    expect(error.message).toMatch(/^labs\/lab-07-demo\/lab\.yaml is not valid YAML:\nlabs\/lab-07-demo\/lab\.yaml:\d+: /);
  });

  test('rejects duplicate check ids and tests mapped twice', () => {
    const yaml = demoManifest().replace('id: add-negative\n        test: "add > adds negative numbers"', 'id: add-small\n        test: "add > adds small numbers"');
    const error = loadError({ 'labs/lab-07-demo/lab.yaml': yaml });
    expect(error.message).toContain('tasks[0].checks[1].id: "add-small" is already used by tasks[0].checks[0]');
    expect(error.message).toContain('tasks[0].checks[1].test: "add > adds small numbers" is already mapped by tasks[0].checks[0]');
  });

  test('requires the folder name to match id and slug', () => {
    root = writeTree({ 'labs/lab-07-other/lab.yaml': demoManifest() });
    expect(() => loadLab(join(root, 'labs/lab-07-other'), root)).toThrow('the folder must be named lab-07-demo');
  });

  test('validates mutants and the checks they name', () => {
    root = writeTree(demoCourse({ 'labs/lab-07-demo/mutants/wrong.patch': `why: x\nkills: [add-nope]\n${SIGN_PATCH}` }));
    const lab = loadLab(join(root, 'labs/lab-07-demo'), root);
    expect(() => loadMutants(lab, root)).toThrow('labs/lab-07-demo/mutants/wrong.patch: kills: unknown check id add-nope');
  });

  test('a mutant names only hint keys of checks it kills, which their hint_when has', () => {
    root = writeTree(demoCourse({ 'labs/lab-07-demo/mutants/wrong.patch': `why: x\nkills: [add-negative]\nhints: { add-small: sign }\n${SIGN_PATCH}` }));
    expect(() => loadMutants(loadLab(join(root, 'labs/lab-07-demo'), root), root)).toThrow('mutants/wrong.patch: hints.add-small: add-small is not in kills');
    removeTree(root);
    root = writeTree(demoCourse({ 'labs/lab-07-demo/mutants/wrong.patch': `why: x\nkills: [add-negative]\nhints: { add-negative: sign }\n${SIGN_PATCH}` }));
    expect(() => loadMutants(loadLab(join(root, 'labs/lab-07-demo'), root), root)).toThrow(`mutants/wrong.patch: hints.add-negative: "sign" is not a key of add-negative's hint_when`);
  });
});

// The demo solution is `return a + b;`: a mutant that drops b's sign.
const SIGN_PATCH = `--- a/src/add.ts
+++ b/src/add.ts
@@ -1,3 +1,3 @@
 export function add(a: number, b: number): number {
-  return a + b;
+  return a + Math.abs(b);
 }
`;

describe('mutants as patches', () => {
  const solution = () => new Map([['src/add.ts', Buffer.from('export function add(a: number, b: number): number {\n  return a + b;\n}\n')]]);
  const load = (files: Record<string, string>) => {
    root = writeTree(demoCourse(files));
    return loadMutants(loadLab(join(root, 'labs/lab-07-demo'), root), root);
  };

  test('a patch with its header applies to the solution, and changes only what it says', () => {
    const [m] = load({ 'labs/lab-07-demo/mutants/drops-sign.patch': `why: Treats every b as positive.\nkills: [add-negative]\n${SIGN_PATCH}` });
    expect(m.name).toBe('drops-sign');
    expect(m.manifest).toEqual({ why: 'Treats every b as positive.', kills: ['add-negative'] });
    expect(mutantFiles(m, solution(), root).get('src/add.ts')!.toString()).toBe('export function add(a: number, b: number): number {\n  return a + Math.abs(b);\n}\n');
  });

  test('a patch that no longer applies is an authoring error naming the mutant and the hunk', () => {
    const [m] = load({ 'labs/lab-07-demo/mutants/drops-sign.patch': `why: x\nkills: [add-negative]\n${SIGN_PATCH}` });
    const changed = new Map([['src/add.ts', Buffer.from('export function add(a: number, b: number): number {\n  const sum = a + b;\n  return sum;\n}\n')]]);
    expect(() => mutantFiles(m, changed, root)).toThrow('labs/lab-07-demo/mutants/drops-sign.patch: hunk 1 of 1 for src/add.ts (@@ -1,3 +1,3 @@) does not apply to solution/src/add.ts.');
  });

  test('the second of two hunks is named when it alone fails', () => {
    const two = `--- a/src/add.ts\n+++ b/src/add.ts\n@@ -1,1 +1,1 @@\n-export function add(a: number, b: number): number {\n+export function add(a: number, b: number): number /* x */ {\n@@ -3,1 +3,1 @@\n-}\n+} // gone\n`;
    const [m] = load({ 'labs/lab-07-demo/mutants/two.patch': `why: x\nkills: [add-negative]\n${two}` });
    const changed = new Map([['src/add.ts', Buffer.from('export function add(a: number, b: number): number {\n  return a + b;\n};\n')]]);
    expect(() => mutantFiles(m, changed, root)).toThrow('hunk 2 of 2 for src/add.ts (@@ -3,1 +3,1 @@) does not apply');
  });

  test('a patch of a file the learner does not edit, a patch without a diff, and an old mutant folder are refused', () => {
    const other = SIGN_PATCH.replaceAll('src/add.ts', 'tests/add.test.ts');
    expect(() => load({ 'labs/lab-07-demo/mutants/x.patch': `why: x\nkills: [add-negative]\n${other}` })).toThrow('mutants/x.patch: tests/add.test.ts is not a file the learner edits');
    removeTree(root);
    expect(() => load({ 'labs/lab-07-demo/mutants/x.patch': 'why: x\nkills: [add-negative]\n' })).toThrow('mutants/x.patch holds no diff.');
    removeTree(root);
    expect(() => load({ 'labs/lab-07-demo/mutants/x/mutant.yaml': 'why: x\nkills: [add-negative]\n' })).toThrow('mutants/x/ is a folder: a mutant is one file, mutants/NAME.patch.');
  });

  test('a header without why: is a manifest error with its path', () => {
    expect(() => load({ 'labs/lab-07-demo/mutants/x.patch': `kills: [add-negative]\n${SIGN_PATCH}` })).toThrow('labs/lab-07-demo/mutants/x.patch: why:');
  });
});

describe('resolveLab', () => {
  test.each(['lab-07', '07', '7', 'demo', 'lab-07-demo', 'labs/lab-07-demo/'])('finds lab-07-demo from "%s"', (query) => {
    root = writeTree(demoCourse());
    expect(findLabDir(query, root)).toBe(join(root, 'labs/lab-07-demo'));
  });

  test('an unknown lab lists the labs that exist', () => {
    root = writeTree(demoCourse());
    expect(() => resolveLab('lab-99', root)).toThrow('Unknown lab "lab-99". The labs are:\n  lab-07-demo');
  });

  /** The repository's own five labs. */
  const ROOT = join(import.meta.dirname, '../../..');

  test.each([
    ['drift', 'lab-04-drift-detector'],
    ['detector', 'lab-04-drift-detector'],
    ['batch', 'lab-03-batching-server'],
    ['rag', 'lab-01-rag-pipeline'],
    ['token', 'lab-02-tokenizer'],
  ])('a prefix of a slug or of one of its words that only one lab has, "%s", finds %s', (query, folder) => {
    expect(findLabDir(query, ROOT)).toBe(join(ROOT, 'labs', folder));
  });

  test('a near miss suggests the closest lab, and an ambiguous prefix names the candidates', () => {
    expect(() => findLabDir('drift-detecter', ROOT)).toThrow('Unknown lab "drift-detecter". Did you mean "drift-detector"?');
    root = writeTree({ ...demoCourse(), 'labs/lab-08-demolition/lab.yaml': demoManifest().replace('id: lab-07', 'id: lab-08').replace('slug: demo', 'slug: demolition') });
    expect(() => findLabDir('dem', root)).toThrow('Unknown lab "dem". It could be lab-07-demo or lab-08-demolition: say which.');
  });
});
