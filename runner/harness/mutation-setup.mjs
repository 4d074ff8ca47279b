// `verify --mutation` only: skips the checks that lab.yaml's mutation.skip names (their test
// names arrive in AILAB_MUTATION_SKIP, as JSON), before they start. A skipped check detects no
// mutant, so this can only lower the score.
import { beforeEach } from 'vitest';

const skipped = new Set(JSON.parse(process.env.AILAB_MUTATION_SKIP || '[]'));

beforeEach((context) => {
  if (skipped.has(context.task.fullTestName)) context.skip('lab.yaml: mutation.skip');
});
