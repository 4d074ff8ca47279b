import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadLab } from '../../../runner/lab/load.ts';
import { applyMutant, mutantKey, scoreReport, unconfirmedSurvivors } from '../../../runner/lab/mutation.ts';
import { demoCourse, demoManifest, removeTree, writeTree } from '../../helpers/course.ts';

// scoreReport reads StrykerJS's JSON report (mutation-testing-report-schema); the real Stryker run
// is in test/e2e/mutation.test.ts. These cover what one run can't show at once.

let root = '';
afterEach(() => removeTree(root));

const LAB = 'labs/lab-07-demo';

function lab(mutation = '') {
  root = writeTree(demoCourse({ [`${LAB}/lab.yaml`]: demoManifest(mutation) }));
  return loadLab(join(root, LAB), root);
}

type Status = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

function mutant(id: number, status: Status, line: number, column: number, mutatorName: string, replacement: string, testsCompleted = 1) {
  return { id: String(id), status, mutatorName, replacement, testsCompleted, location: { start: { line, column } } };
}

function report(...mutants: ReturnType<typeof mutant>[]) {
  return { files: { [`${LAB}/src/add.ts`]: { mutants } } };
}

describe('scoreReport', () => {
  test('counts killed and timed-out mutants as detected, and leaves invalid ones out of the score', () => {
    const scored = scoreReport(lab(), LAB, report(mutant(1, 'Killed', 2, 7, 'ConditionalExpression', 'true'), mutant(2, 'Timeout', 2, 7, 'BlockStatement', '{}'), mutant(3, 'CompileError', 3, 3, 'StringLiteral', '""'), mutant(4, 'Survived', 3, 10, 'ArithmeticOperator', 'a - b')));
    expect(scored).toMatchObject({ killed: 1, timedOut: 1, invalid: 1, equivalent: 0, total: 4, errors: [] });
    expect(scored.survived).toEqual([{ file: 'src/add.ts', line: 3, column: 10, mutator: 'ArithmeticOperator', replacement: 'a - b', status: 'Survived' }]);
    expect(scored.score).toBe(66.66);
  });

  test('a mutant no test reaches is a survivor, marked NoCoverage', () => {
    const scored = scoreReport(lab(), LAB, report(mutant(1, 'NoCoverage', 2, 7, 'BlockStatement', '{}', 0)));
    expect(scored.survived.map((s) => s.status)).toEqual(['NoCoverage']);
    expect(scored.errors).toEqual([]);
    expect(scored.score).toBe(0);
  });

  test('a "survivor" that ran no test is an error, not a survivor (stryker-js #6213)', () => {
    const scored = scoreReport(lab(), LAB, report(mutant(1, 'Killed', 2, 7, 'ConditionalExpression', 'true'), mutant(2, 'Survived', 2, 7, 'ConditionalExpression', 'false', 0)));
    expect(scored.survived).toEqual([]);
    expect(scored.errors).toEqual(['src/add.ts:2:7 ConditionalExpression → `false`: Stryker says it survived, but no test ran against it (testsCompleted 0), so that measures nothing. Run again with --force; if it stays, it is Stryker\'s bug (stryker-js #6213), not a weak check.']);
  });

  test('a "survivor" that ran no test counts as ailab\'s own run of it says: killed, or survived', () => {
    const m = mutant(2, 'Survived', 2, 7, 'ConditionalExpression', 'false', 0);
    const killed = scoreReport(lab(), LAB, report(mutant(1, 'Killed', 2, 7, 'ConditionalExpression', 'true'), m), new Map([[mutantKey('src/add.ts', m), 'killed']]));
    expect(killed).toMatchObject({ killed: 2, rechecked: 1, survived: [], errors: [], score: 100 });
    const survived = scoreReport(lab(), LAB, report(mutant(1, 'Killed', 2, 7, 'ConditionalExpression', 'true'), m), new Map([[mutantKey('src/add.ts', m), 'survived']]));
    expect(survived).toMatchObject({ killed: 1, rechecked: 1, errors: [], score: 50 });
    expect(survived.survived.map((s) => s.column)).toEqual([7]);
  });

  test('applyMutant replaces exactly the reported range (1-based, end exclusive)', () => {
    const source = "const a = 1;\nconst d = new TextDecoder('utf-8', { ignoreBOM: true });\n";
    const m = { id: '9', mutatorName: 'StringLiteral', replacement: '""', status: 'Survived' as const, testsCompleted: 0, location: { start: { line: 2, column: 27 }, end: { line: 2, column: 34 } } };
    expect(applyMutant(source, m)).toBe("const a = 1;\nconst d = new TextDecoder(\"\", { ignoreBOM: true });\n");
    expect(unconfirmedSurvivors(LAB, { files: { [`${LAB}/src/add.ts`]: { mutants: [m, mutant(1, 'Survived', 2, 7, 'ConditionalExpression', 'true')] } } })).toEqual([{ file: 'src/add.ts', mutant: m }]);
  });

  test('a listed equivalent leaves the denominator; a column tells two alike on one line apart', () => {
    const listed = 'mutation:\n  equivalent:\n    - at: src/add.ts:2:20\n      mutator: EqualityOperator\n      replacement: "x <= y"\n      why: ids are distinct.\n';
    const scored = scoreReport(lab(listed), LAB, report(mutant(1, 'Killed', 2, 7, 'ConditionalExpression', 'true'), mutant(2, 'Survived', 2, 20, 'EqualityOperator', 'x <= y'), mutant(3, 'Survived', 2, 40, 'EqualityOperator', 'x <= y')));
    expect(scored).toMatchObject({ killed: 1, equivalent: 1, errors: [] });
    expect(scored.survived.map((s) => s.column)).toEqual([40]);
    expect(scored.score).toBe(50);
  });

  test('an entry without a column covers every alike mutant on its line', () => {
    const listed = 'mutation:\n  equivalent:\n    - at: src/add.ts:2\n      mutator: EqualityOperator\n      replacement: "x <= y"\n      why: ids are distinct.\n';
    const scored = scoreReport(lab(listed), LAB, report(mutant(1, 'Killed', 2, 7, 'ConditionalExpression', 'true'), mutant(2, 'Survived', 2, 20, 'EqualityOperator', 'x <= y'), mutant(3, 'Survived', 2, 40, 'EqualityOperator', 'x <= y')));
    expect(scored).toMatchObject({ killed: 1, equivalent: 2, survived: [], score: 100, errors: [] });
  });

  test('an equivalent the checks now kill, or that matches no mutant, is an error to fix in lab.yaml', () => {
    const listed = [
      'mutation:',
      '  equivalent:',
      '    - at: src/add.ts:2:7',
      '      mutator: ConditionalExpression',
      '      replacement: "true"',
      '      why: wrongly listed.',
      '    - at: src/add.ts:12',
      '      mutator: BlockStatement',
      '      replacement: "{}"',
      '      why: the code moved.',
      '',
    ].join('\n');
    const scored = scoreReport(lab(listed), LAB, report(mutant(1, 'Killed', 2, 7, 'ConditionalExpression', 'true')));
    expect(scored.errors).toEqual([
      'lab.yaml lists src/add.ts:2:7 ConditionalExpression → `true` as equivalent, but the checks detect it (killed): remove the entry.',
      'lab.yaml lists an equivalent mutant at src/add.ts:12 (BlockStatement → `{}`) that Stryker no longer makes: the solution changed; remove or move the entry.',
    ]);
  });

  test('a report with no mutants is an error, never a score of 100', () => {
    expect(scoreReport(lab(), LAB, { files: {} }).errors).toEqual(["Stryker made no mutants of the solution: check the lab's files: globs."]);
  });

  test('lab.yaml: a mutation.skip entry must name one of the lab\'s checks', () => {
    expect(() => lab('mutation:\n  skip:\n    - check: add-huge\n      why: it is timed.\n')).toThrow('labs/lab-07-demo/lab.yaml: mutation.skip[0].check: unknown check id add-huge');
    expect(lab('mutation:\n  skip:\n    - check: add-negative\n      why: it is timed.\n').manifest.mutation.skip).toEqual([{ check: 'add-negative', why: 'it is timed.' }]);
  });

  test('lab.yaml: mutation defaults to a floor of 90 and no equivalents; a bad at: is path: message', () => {
    expect(lab().manifest.mutation).toEqual({ min_score: 90, equivalent: [], skip: [] });
    expect(() => lab('mutation:\n  equivalent:\n    - at: src/add.ts\n      mutator: X\n      replacement: "y"\n      why: z\n')).toThrow('labs/lab-07-demo/lab.yaml: mutation.equivalent[0].at: expected file:line or file:line:column, e.g. src/similarity.ts:36');
  });
});
