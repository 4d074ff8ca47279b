import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { learnerSourcesByTestFile } from '../../../runner/lab/affected.ts';
import { withSolutionChecks } from '../../../runner/lab/verify.ts';
import { removeTree, writeTree } from '../../helpers/course.ts';
import { demoResults } from '../../helpers/results.ts';

let root = '';
afterEach(() => removeTree(root));

describe('learnerSourcesByTestFile', () => {
  test('follows learner() calls through the checks-side imports and the learner-side imports, with an overlay in place of the starter', async () => {
    root = writeTree({
      'src/a.ts': 'export const a = 1;\n',
      'src/b.ts': "import { a } from './a.ts';\nexport const b = a + 1;\n",
      'src/c.ts': 'export const c = 3;\n',
      'src/direct.ts': 'export const d = 4;\n',
      'checks/helpers.ts': "import { learner } from '#ailab/learner';\nexport const B = await learner<typeof import('../src/b.ts')>('src/b.ts');\n",
      'checks/b.test.ts': "import { B } from './helpers.ts';\nimport type * as C from '../src/c.ts';\nexport { B };\n",
      'checks/c.test.ts': "import { learner } from '#ailab/learner';\nconst C = await learner('src/c.ts');\nexport { C };\n",
      'checks/direct.test.ts': "import { d } from '../src/direct.ts';\nexport { d };\n",
      'checks/computed.test.ts': "import { learner } from '#ailab/learner';\nconst file = 'src/c.ts';\nexport const C = await learner(file);\n",
    });
    const files = ['checks/b.test.ts', 'checks/c.test.ts', 'checks/direct.test.ts', 'checks/computed.test.ts'];
    const graph = await learnerSourcesByTestFile(root, files);
    expect([...(graph.get('checks/b.test.ts') as Set<string>)].filter((f) => f.startsWith('src/')).sort()).toEqual(['src/a.ts', 'src/b.ts']); // a type import of c.ts loads nothing
    expect([...(graph.get('checks/c.test.ts') as Set<string>)].filter((f) => f.startsWith('src/'))).toEqual(['src/c.ts']);
    expect([...(graph.get('checks/direct.test.ts') as Set<string>)].filter((f) => f.startsWith('src/'))).toEqual(['src/direct.ts']);
    expect(graph.get('checks/computed.test.ts')).toBe('all');
    // A mutant that makes c.ts import a.ts: the overlay's imports count, not the starter's.
    const mutated = await learnerSourcesByTestFile(root, ['checks/c.test.ts'], new Map([['src/c.ts', Buffer.from("import { a } from './a.ts';\nexport const c = a;\n")]]));
    expect([...(mutated.get('checks/c.test.ts') as Set<string>)].sort()).toEqual(['checks/c.test.ts', 'src/a.ts', 'src/c.ts']);
  });
});

describe('withSolutionChecks', () => {
  test("keeps the partial run's checks for the files it ran and the solution's for the rest, and rescoring follows", () => {
    const solution = demoResults('');
    solution.checks = solution.checks.map((c) => ({ ...c, status: 'pass', points: c.maxPoints, message: undefined, file: c.id === 'add-small' ? 'tests/add.test.ts' : 'checks/add.test.ts' }));
    const partial = demoResults('expected -1 to be -3');
    partial.checks[0] = { ...partial.checks[0], status: 'missing', points: 0 };
    const merged = withSolutionChecks(partial, solution, ['checks/add.test.ts']);
    expect(merged.checks.map((c) => [c.id, c.status])).toEqual([['add-small', 'pass'], ['add-negative', 'fail']]);
    expect(merged.score).toBe(5);
    expect(merged.status).toBe('fail');
  });
});
