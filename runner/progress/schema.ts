import { z } from 'zod';

/** How many runs per lab the history keeps. */
export const MAX_RUNS = 50;

/** One graded run of the learner's workspace. */
export const RunRecordSchema = z
  .object({
    at: z.string().datetime(),
    score: z.number().min(0),
    maxScore: z.number().min(0),
    status: z.enum(['pass', 'fail', 'error']),
    /** Check ids that did not pass, so `hint` knows where the learner is stuck. */
    notPassing: z.array(z.string()).default([]),
  })
  .strict();
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** One lab's history: recent runs, the best run, and hint rungs revealed per check. */
export const LabProgressSchema = z
  .object({
    runs: z.array(RunRecordSchema).default([]),
    best: RunRecordSchema.optional(),
    lastRun: RunRecordSchema.optional(),
    hints: z.record(z.string(), z.number().int().min(0)).default({}),
  })
  .strict();
export type LabProgress = z.infer<typeof LabProgressSchema>;

/** .ailab/progress.json, version 1, keyed by lab id (lab-00). */
export const ProgressSchema = z
  .object({
    version: z.literal(1),
    labs: z.record(z.string(), LabProgressSchema).default({}),
  })
  .strict();
export type Progress = z.infer<typeof ProgressSchema>;

/** A fresh, empty history. */
export function emptyProgress(): Progress {
  return { version: 1, labs: {} };
}

/** A lab's history, or an empty one. */
export function labProgress(progress: Progress, labId: string): LabProgress {
  return progress.labs[labId] ?? { runs: [], hints: {} };
}
