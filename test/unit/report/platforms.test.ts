import { describe, expect, test } from 'vitest';
import { renderGradescope, renderPrairieLearn } from '../../../runner/report/platforms.ts';
import { demoResults } from '../../helpers/results.ts';
import { GradescopeResults, PrairieLearnResults } from '../../helpers/platform-schemas.ts';


describe('Gradescope results.json', () => {
  test('matches the documented format: one test per check, points, status, feedback, and hidden checks shown once published', () => {
    const out = GradescopeResults.parse(JSON.parse(renderGradescope(demoResults('expected -1 to be -3'))));
    expect(out.score).toBe(5);
    expect(out.tests.map((t) => [t.number, t.score, t.max_score, t.status, t.visibility])).toEqual([
      ['add-small', 5, 5, 'passed', 'visible'],
      ['add-negative', 0, 5, 'failed', 'after_published'],
    ]);
    expect(out.tests[1].output).toBe('expected -1 to be -3\n\nHint: Negative numbers too.');
    expect(out.output).toBe('lab-07: 5/10');
  });

  test('what went wrong with the whole submission is said once, in the top-level output', () => {
    const results = { ...demoResults('x'), problems: ['src/add.ts is missing.'] };
    expect(GradescopeResults.parse(JSON.parse(renderGradescope(results))).output).toBe('lab-07: 5/10\n- src/add.ts is missing.');
  });

  test('a hidden check can be kept hidden', () => {
    const out = GradescopeResults.parse(JSON.parse(renderGradescope(demoResults('x'), { hiddenVisibility: 'hidden' })));
    expect(out.tests.map((t) => t.visibility)).toEqual(['visible', 'hidden']);
  });
});

describe('PrairieLearn results.json', () => {
  test('matches the documented format: a score from 0 to 1, points and max_points per check', () => {
    const out = PrairieLearnResults.parse(JSON.parse(renderPrairieLearn(demoResults('expected -1 to be -3'))));
    expect([out.gradable, out.score, out.message]).toEqual([true, 0.5, 'lab-07: 5/10 points']);
    expect(out.tests?.map((t) => [t.name, t.points, t.max_points])).toEqual([
      ['add-small: adds small numbers', 5, 5],
      ['add-negative: adds negative numbers', 0, 5],
    ]);
  });

  test('a submission none of which compiles is not gradable, with its errors, so no attempt is charged', () => {
    const results = demoResults('x');
    results.compile = [{ file: 'src/add.ts', line: 3, column: 7, message: "',' expected.", frame: '' }];
    const out = PrairieLearnResults.parse(JSON.parse(renderPrairieLearn(results)));
    expect(out.gradable).toBe(false);
    expect(out.score).toBeUndefined();
    expect(out.format_errors).toContain("src/add.ts:3:7 ',' expected.");
  });
});
