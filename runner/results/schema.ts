import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** The status of one check: a learner's result, never a tool failure. */
export const CheckStatusSchema = z.enum(['pass', 'fail', 'error', 'timeout', 'missing', 'skipped']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

/** One check's result, as every reporter renders it. */
export const CheckResultSchema = z.object({
  id: z.string(),
  task: z.string(),
  title: z.string(),
  test: z.string(),
  /** The test file that reported this check, when it reported. */
  file: z.string().optional(),
  status: CheckStatusSchema,
  points: z.number(),
  maxPoints: z.number(),
  visibility: z.enum(['public', 'hidden']),
  message: z.string().optional(),
  hint: z.string().optional(),
  docs: z.string().optional(),
  durationMs: z.number(),
  /**
   * Set when this check hit the per-check limit in the full run and this result is from running it
   * once more, alone (run-checks.ts): what the full run gave it.
   */
  rerun: z.object({ status: CheckStatusSchema, durationMs: z.number() }).optional(),
});
export type CheckResult = z.infer<typeof CheckResultSchema>;

/** A syntax error in one of the submission's files: why its checks could not run. */
export const CompileErrorSchema = z.object({ file: z.string(), line: z.number(), column: z.number(), message: z.string(), frame: z.string() });
export type CompileError = z.infer<typeof CompileErrorSchema>;

/** The results object, schemaVersion 1: one per check run, whatever happened in it. */
export const ResultsSchema = z.object({
  schemaVersion: z.literal(1),
  lab: z.object({ id: z.string(), title: z.string(), version: z.string() }),
  submission: z.object({ source: z.string(), sha256: z.string(), files: z.array(z.string()) }),
  status: z.enum(['pass', 'fail', 'error']),
  score: z.number(),
  maxScore: z.number(),
  tasks: z.array(z.object({ id: z.string(), title: z.string(), score: z.number(), maxScore: z.number() })),
  checks: z.array(CheckResultSchema),
  problems: z.array(z.string()),
  /** Syntax errors in the submission, when they kept test files from loading (each check they stopped is `error`). */
  compile: z.array(CompileErrorSchema).optional(),
  /** Type errors in the submission's editable files (tsc's, beside the run): warnings that cost no points. */
  typeErrors: z.array(CompileErrorSchema).optional(),
  sandbox: z.object({
    kind: z.enum(['docker', 'local']),
    image: z.string().optional(),
    /** The Docker host that ran it, when `grade` ran over several (`--docker-host`, `--hosts`). */
    host: z.string().optional(),
    exitCode: z.number().nullable(),
    timedOut: z.boolean(),
    oomKilled: z.boolean(),
    durationMs: z.number(),
    limits: z.object({ timeout_s: z.number(), test_timeout_s: z.number(), memory_mb: z.number(), cpus: z.number(), pids: z.number(), output_kb: z.number() }),
    /** Set when the sandbox itself failed, so the code was never graded (not the learner's fault); `grade --resume` grades it again. */
    failure: z.string().optional(),
  }),
  output: z.string(),
  runner: z.object({ version: z.string() }),
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type Results = z.infer<typeof ResultsSchema>;

/** Reads a results file: undefined when it is absent, not JSON, or not a valid results object. */
export function readResultsFile(path: string): Results | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const parsed = ResultsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
