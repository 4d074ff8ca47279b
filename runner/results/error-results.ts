import { RUNNER_VERSION } from '../core/paths.ts';
import type { Lab } from '../lab/load.ts';
import { labVersion } from '../lab/version.ts';
import { ResultsSchema, type Results } from './schema.ts';

/**
 * A results object for a submission that could not run at all: every check is an error with the
 * reason. `failure` marks an infrastructure failure (the sandbox broke, not the submission).
 */
export function errorResults(lab: Lab, root: string, source: string, sha256: string, reason: string, kind: 'docker' | 'local', failure?: string): Results {
  const now = new Date().toISOString();
  return ResultsSchema.parse({
    schemaVersion: 1,
    lab: { id: lab.manifest.id, title: lab.manifest.title, version: labVersion(lab, root) },
    submission: { source, sha256, files: [] },
    status: 'error',
    score: 0,
    maxScore: lab.maxScore,
    tasks: lab.manifest.tasks.map((t) => ({ id: t.id, title: t.title, score: 0, maxScore: t.checks.reduce((s, c) => s + c.points, 0) })),
    checks: lab.checks.map((c) => ({ id: c.id, task: c.task, title: c.test.split(' > ').at(-1) ?? c.test, test: c.test, status: 'error', points: 0, maxPoints: c.points, visibility: c.visibility, message: reason, durationMs: 0 })),
    problems: [reason],
    sandbox: { kind, exitCode: null, timedOut: false, oomKilled: false, durationMs: 0, limits: lab.manifest.limits, failure },
    output: '',
    runner: { version: RUNNER_VERSION },
    startedAt: now,
    finishedAt: now,
  });
}
