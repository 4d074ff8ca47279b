import { describe, expect, test } from 'vitest';
import { scanSubmission } from '../../../runner/submission/scan.ts';

const files = (entries: Record<string, string | Buffer>) => new Map(Object.entries(entries).map(([k, v]) => [k, Buffer.isBuffer(v) ? v : Buffer.from(v)]));

describe('scanSubmission', () => {
  test('flags lines that reach for the framework, the channel, other processes or the checks', () => {
    const src = [
      'export const a = 1;',
      "import { expect } from 'vitest';",
      'const w = (globalThis as any).__vitest_worker__;',
      'process.kill(process.ppid);',
      "readFileSync('/proc/self/mem');",
      "const src = readFileSync('../checks/similarity.test.ts');",
      'return { asymmetricMatch: () => true };',
      "console.log('@@ailab:x:{}');",
    ].join('\n');
    expect(scanSubmission(files({ 'src/a.ts': src }))).toEqual([
      'review: src/a.ts:2 mentions `from \'vitest\'` (the test framework)',
      "review: src/a.ts:3 mentions `__vitest_worker__` (vitest's internal state)",
      'review: src/a.ts:4 mentions `process.kill` (other processes or the result channel)',
      "review: src/a.ts:5 mentions `'/proc/` (process internals under /proc)",
      'review: src/a.ts:6 mentions `/checks/` (the checks)',
      'review: src/a.ts:7 mentions `asymmetricMatch` (the hook that equality assertions consult)',
      "review: src/a.ts:8 mentions `@@ailab` (the runner's result channel)",
    ]);
  });

  test('ordinary code, binary files and comments about tests are not flagged', () => {
    const ok = ['import { readFileSync } from "node:fs";', 'const checks = [1, 2];', 'export function topK(k: number) { return k <= 0 ? [] : [k]; }', 'process.exitCode = 0;'].join('\n');
    expect(scanSubmission(files({ 'src/ok.ts': ok, 'src/blob.ts': Buffer.from([0, 1, 2, 0x70, 0x72]) }))).toEqual([]);
  });

  test('caps the flags at ten', () => {
    expect(scanSubmission(files({ 'src/a.ts': 'process.ppid;\n'.repeat(50) }))).toHaveLength(10);
  });
});
