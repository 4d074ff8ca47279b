import { z } from 'zod';

const kebab = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Resource limits for one run of a lab's checks; every field has a default. */
export const LimitsSchema = z
  .object({
    timeout_s: z.number({ error: 'expected a number of seconds' }).positive({ error: 'expected a positive number' }).max(3600).default(120),
    test_timeout_s: z.number().positive({ error: 'expected a positive number' }).max(600).default(10),
    memory_mb: z.number().int().min(64, { error: 'expected at least 64' }).max(16384).default(1024),
    cpus: z.number().positive({ error: 'expected a positive number' }).max(64).default(1),
    pids: z.number().int().min(16, { error: 'expected at least 16' }).max(4096).default(256),
    output_kb: z.number().int().positive({ error: 'expected a positive number' }).max(65536).default(256),
  })
  .strict()
  .default({ timeout_s: 120, test_timeout_s: 10, memory_mb: 1024, cpus: 1, pids: 256, output_kb: 256 });

/** One graded check: the vitest test it maps to, its points, its visibility and hints. */
export const CheckSchema = z
  .object({
    id: z.string().regex(kebab, { error: 'expected a kebab-case id' }),
    test: z.string().min(1, { error: 'expected the full name of a vitest test' }),
    points: z.number({ error: 'expected a positive number' }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive number' }),
    visibility: z.enum(['public', 'hidden'], { error: 'expected "public" or "hidden"' }),
    hint: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'expected a hint or a list of hints' }),
    /**
     * Hints for the ways this check can fail, by key: a failure message that carries a key
     * (`because('pvalue', …)` from #ailab/checks) gets that hint instead of the ladder's first rung.
     */
    hint_when: z.record(z.string().regex(kebab, { error: 'expected a kebab-case key' }), z.string().min(1)).optional(),
    docs: z.string().optional(),
  })
  .strict();

/** A task: a titled group of checks, in the order the learner does them. */
export const TaskSchema = z
  .object({
    id: z.string().regex(kebab, { error: 'expected a kebab-case id' }),
    title: z.string().min(1),
    checks: z.array(CheckSchema).min(1, { error: 'expected at least one check' }),
  })
  .strict();

/**
 * A mutant that StrykerJS makes and no check can kill, because the program still means the same
 * (a guard that an earlier line already covers, a tie-break between ids that are always distinct):
 * left out of the mutation score's denominator, with the reason. Found by where it is and what it
 * changes, so an entry that no longer matches a surviving mutant is reported, not kept quietly.
 */
export const EquivalentSchema = z
  .object({
    /** The solution file and line (and column, where one line holds two alike), relative to the lab folder: src/similarity.ts:38:45. */
    at: z.string().regex(/^[^:\s]+:\d+(:\d+)?$/, { error: 'expected file:line or file:line:column, e.g. src/similarity.ts:36' }),
    /** Stryker's mutator name: EqualityOperator, ConditionalExpression, StringLiteral… */
    mutator: z.string().min(1),
    /** The code Stryker puts in place of the original, exactly as its report shows it. */
    replacement: z.string(),
    /** One line: why no check can tell this mutant from the solution. */
    why: z.string().min(1),
  })
  .strict();

/** How `verify --mutation` scores the lab's checks with StrykerJS. */
export const MutationSchema = z
  .object({
    /** The lowest mutation score (per cent, equivalents left out) that verify --mutation accepts. */
    min_score: z.number().min(0).max(100).default(90),
    equivalent: z.array(EquivalentSchema).default([]),
    /**
     * Checks that don't run under Stryker, each with its reason: a check that times the code
     * (Stryker's instrumented code runs several times slower). A skipped check detects nothing,
     * so skipping one can only lower the score.
     */
    skip: z.array(z.object({ check: z.string().regex(kebab), why: z.string().min(1) }).strict()).default([]),
  })
  .strict()
  .default({ min_score: 90, equivalent: [], skip: [] });

/** lab.yaml, format 1. */
export const LabManifestSchema = z
  .object({
    $schema: z.string().optional(),
    format: z.literal(1, { error: 'expected 1 (the only lab format this runner reads)' }),
    id: z.string().regex(/^lab-\d{2}$/, { error: 'expected an id like lab-03' }),
    slug: z.string().regex(kebab, { error: 'expected a kebab-case slug' }),
    title: z.string().min(1),
    summary: z.string().min(1),
    difficulty: z.enum(['intro', 'easy', 'medium', 'hard']),
    estimated_minutes: z.number().int().positive(),
    files: z.array(z.string().min(1)).min(1, { error: 'expected at least one editable file glob' }),
    fixtures: z.array(z.string().min(1)).default([]),
    /** The fixtures the public tests need: the only ones a student release contains. */
    public_fixtures: z.array(z.string().min(1)).default([]),
    /**
     * The packages learner code may import, besides Node's built-ins (never child processes,
     * workers or the inspector) and the lab's own files: a package name (`@huggingface/inference`)
     * or subpaths with `*` for one path segment (`js-tiktoken/ranks/*`).
     */
    learner_imports: z
      .array(z.string().regex(/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+(\/[A-Za-z0-9._*-]+)*$/, { error: 'expected a package name, optionally with a subpath such as js-tiktoken/ranks/*' }))
      .default([]),
    starter_ceiling: z.number().min(0).max(100).default(10),
    limits: LimitsSchema,
    mutation: MutationSchema,
    tasks: z.array(TaskSchema).min(1, { error: 'expected at least one task' }),
  })
  .strict();

export type LabManifest = z.infer<typeof LabManifestSchema>;
export type LabCheck = z.infer<typeof CheckSchema>;
export type LabLimits = z.infer<typeof LimitsSchema>;
export type LabEquivalent = z.infer<typeof EquivalentSchema>;

/** The header of mutants/NAME.patch: which checks must catch the bug, and why it is a plausible one. */
export const MutantSchema = z
  .object({
    /** One line: the bug, and why a learner could plausibly write it. */
    why: z.string().min(1),
    kills: z.array(z.string().regex(kebab)).min(1, { error: 'expected at least one check id' }),
    /** For some of the killed checks, the hint_when key the failure must name: proof that the hint follows the cause. */
    hints: z.record(z.string().regex(kebab), z.string().regex(kebab, { error: 'expected a kebab-case hint key' })).optional(),
  })
  .strict();

export type MutantManifest = z.infer<typeof MutantSchema>;
