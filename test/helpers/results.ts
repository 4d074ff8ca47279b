import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResultsSchema, type Results } from '../../runner/results/schema.ts';

/** A grade output folder's grades.csv as `student,status,score` rows, header dropped. */
export function gradebookRows(out: string): string[] {
  return readFileSync(join(out, 'grades.csv'), 'utf8')
    .trim()
    .split('\r\n')
    .slice(1)
    .map((l) => l.split(',').slice(0, 3).join(','));
}

/** A valid results object for the demo lab (lab-07): add-small passes, add-negative fails with `message`. */
export function demoResults(message: string): Results {
  return ResultsSchema.parse({
    schemaVersion: 1,
    lab: { id: 'lab-07', title: 'Demo lab', version: '1' },
    submission: { source: 'workspace', sha256: 'a'.repeat(64), files: ['src/add.ts'] },
    status: 'fail',
    score: 5,
    maxScore: 10,
    tasks: [{ id: 'add', title: 'Addition', score: 5, maxScore: 10 }],
    checks: [
      { id: 'add-small', task: 'add', title: 'adds small numbers', test: 'add > adds small numbers', status: 'pass', points: 5, maxPoints: 5, visibility: 'public', durationMs: 2 },
      { id: 'add-negative', task: 'add', title: 'adds negative numbers', test: 'add > adds negative numbers', status: 'fail', points: 0, maxPoints: 5, visibility: 'hidden', message, hint: 'Negative numbers too.', durationMs: 3 },
    ],
    problems: [],
    sandbox: { kind: 'docker', image: 'ailab-sandbox:abc', exitCode: 1, timedOut: false, oomKilled: false, durationMs: 1234, limits: { timeout_s: 30, test_timeout_s: 10, memory_mb: 1024, cpus: 1, pids: 256, output_kb: 256 } },
    output: '',
    runner: { version: '0.1.0' },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
  });
}
