import { z } from 'zod';

// Each platform's results.json as its documentation states it, strict so that no field is invented.
// Gradescope: gradescope-autograders.readthedocs.io, "Autograder Specifications", Output format.
const visibility = z.enum(['hidden', 'after_due_date', 'after_published', 'visible']);
export const GradescopeResults = z.strictObject({
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
export const PrairieLearnResults = z.strictObject({
  gradable: z.boolean().optional(),
  score: z.number().min(0).max(1).optional(),
  format_errors: z.union([z.string(), z.array(z.string())]).optional(),
  message: z.string().optional(),
  output: z.string().optional(),
  tests: z.array(z.strictObject({ name: z.string(), description: z.string().optional(), points: z.number(), max_points: z.number(), message: z.string().optional(), output: z.string().optional() })).optional(),
});
