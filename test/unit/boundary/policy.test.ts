import { describe, expect, test } from 'vitest';
import { checkImport, importAllowed, type LearnerPolicy } from '../../../runner/boundary/policy.ts';
import { packagePaths } from '../../../runner/boundary/spawn.ts';
import { decode, encode } from '../../../runner/rpc/codec.ts';
import { ROOT } from '../../helpers/cli.ts';

const root = '/run';
const policy: LearnerPolicy = { lab: 'lab-02', labDir: 'labs/lab-02-tokenizer', imports: ['js-tiktoken/ranks/*', '@huggingface/inference'], readable: ['labs/lab-02-tokenizer/src', 'fixtures/tokenizer/corpus.txt'] };
const learnerFile = '/run/labs/lab-02-tokenizer/src/ranks.ts';

describe('the import policy (learner_imports)', () => {
  test('a package entry allows the package and its subpaths; a subpath pattern allows only what it matches', () => {
    expect(importAllowed('@huggingface/inference', policy.imports)).toBe(true);
    expect(importAllowed('@huggingface/inference/dist/x', policy.imports)).toBe(true);
    expect(importAllowed('js-tiktoken/ranks/gpt2', policy.imports)).toBe(true);
    expect(importAllowed('js-tiktoken/ranks/gpt2/extra', policy.imports)).toBe(false);
    expect(importAllowed('js-tiktoken', policy.imports)).toBe(false);
    expect(importAllowed('js-tiktoken/lite', policy.imports)).toBe(false);
    expect(importAllowed('@huggingface/tasks', policy.imports)).toBe(false);
  });

  test('a denied package names the import, the lab and the policy', () => {
    expect(() => checkImport('js-tiktoken/lite', learnerFile, root, policy)).toThrow(
      'src/ranks.ts imports "js-tiktoken/lite", which is not allowed. lab-02\'s learner code may import Node\'s built-in modules (except child_process, cluster, worker_threads, inspector), the lab\'s own source files, and these packages: js-tiktoken/ranks/*, @huggingface/inference (learner_imports in lab.yaml).',
    );
  });

  test('built-ins are allowed except processes, threads and the inspector, with or without node:', () => {
    expect(() => checkImport('node:fs', learnerFile, root, policy)).not.toThrow();
    expect(() => checkImport('http', learnerFile, root, policy)).not.toThrow();
    for (const spec of ['child_process', 'node:child_process', 'worker_threads', 'node:inspector', 'cluster']) {
      expect(() => checkImport(spec, learnerFile, root, policy), spec).toThrow(/may not start processes or threads or use the inspector/);
    }
  });

  test("relative and absolute imports must stay inside what the learner may read: never checks/, tests/ or the harness", () => {
    expect(() => checkImport('./tokenizer.ts', learnerFile, root, policy)).not.toThrow();
    expect(() => checkImport('../checks/reference.ts', learnerFile, root, policy)).toThrow(/outside the files learner code may read/);
    expect(() => checkImport('/run/.ailab/boundary/learner.ts', learnerFile, root, policy)).toThrow(/outside the files/);
    expect(() => checkImport('file:///run/labs/lab-02-tokenizer/tests/x.ts', learnerFile, root, policy)).toThrow(/outside the files/);
  });

  test("a package's own imports are its business (the read list bounds them), not the policy's", () => {
    expect(() => checkImport('base64-js', '/node_modules/js-tiktoken/dist/lite.cjs', root, policy)).not.toThrow();
  });

  test('the read list holds a whole package with its dependencies, but only the matching files of a subpath entry', () => {
    const whole = packagePaths(['@huggingface/inference'], `${ROOT}/labs/lab-01-rag-pipeline`);
    expect(whole.some((p) => p.endsWith('/@huggingface/inference'))).toBe(true);
    expect(whole.some((p) => p.endsWith('/@huggingface/tasks'))).toBe(true);
    const ranks = packagePaths(['js-tiktoken/ranks/*'], `${ROOT}/labs/lab-02-tokenizer`);
    expect(ranks.some((p) => p.endsWith('/js-tiktoken/package.json'))).toBe(true);
    expect(ranks.some((p) => p.endsWith('/dist/ranks/gpt2.cjs'))).toBe(true);
    expect(ranks.some((p) => /lite\.c?js$|\/dist\/index\.c?js$/.test(p)), 'the encoder').toBe(false);
    expect(ranks.some((p) => p.endsWith('/js-tiktoken')), 'the whole package folder').toBe(false);
  });
});

describe('values that pose as test matchers never cross', () => {
  test('a plain object with asymmetricMatch is refused, wherever it is', () => {
    expect(() => decode(encode({ hits: [{ id: 'a', asymmetricMatch: 1 }] }))).toThrow(/hits\[0\]\.asymmetricMatch.*pose as a test matcher/);
  });
});
