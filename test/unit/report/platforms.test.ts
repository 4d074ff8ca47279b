import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { renderGradescope, renderPrairieLearn } from '../../../runner/report/platforms.ts';
import { demoResults } from '../../helpers/results.ts';

// Each platform's results.json as its documentation states it, strict so that no field is invented.
// Gradescope: gradescope-autograders.readthedocs.io, "Autograder Specifications", Output format.
const visibility = z.enum(['hidden', 'after_due_date', 'after_published', 'visible']);
const GradescopeResults = z.strictObject({
  score: z.number().optional(),
  execution_time: z.number().optional(),
  output: z.string().optional(),
  output_format: z.enum(['text', 'html', 'simple_format', 'md', 'ansi']).optional(),
  visibility: visibility.optional(),
  stdout_visibility: visibility.optional(),
  extra_data: z.record(z.string(), z.unknown()).optional(),
  tests: z.array(
    z.strictObject({
      score: z.number().optional(),
      max_score: z.number().optional(),
      status: z.enum(['passed', 'failed']).optional(),
      name: z.string().optional(),
      number: z.string().optional(),
      output: z.string().optional(),
      tags: z.array(z.string()).optional(),
      visibility: visibility.optional(),
    }),
  ),
});
// PrairieLearn: docs/externalGrading.md, "Grading results".
const PrairieLearnResults = z.strictObject({
  gradable: z.boolean().optional(),
  score: z.number().min(0).max(1).optional(),
  format_errors: z.union([z.string(), z.array(z.string())]).optional(),
  message: z.string().optional(),
  output: z.string().optional(),
  tests: z.array(z.strictObject({ name: z.string(), description: z.string().optional(), points: z.number(), max_points: z.number(), message: z.string().optional(), output: z.string().optional() })).optional(),
});

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
