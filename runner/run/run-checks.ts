import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SandboxError } from '../core/errors.ts';
import { RUNNER_VERSION } from '../core/paths.ts';
import { mark } from '../core/timings.ts';
import type { Lab } from '../lab/load.ts';
import type { LabLimits } from '../lab/schema.ts';
import { syntaxErrors } from '../results/compile.ts';
import { TypeChecker, typeErrors } from '../results/types.ts';
import { createFrameReader, type FrameLog } from '../results/frames.ts';
import { stripAnsi } from '../results/messages.ts';
import { ResultsSchema, type CheckResult, type CompileError, type Results } from '../results/schema.ts';
import { labVersion } from '../lab/version.ts';
import { scoreChecks, type Scored } from '../results/score.ts';
import { START_LIMIT_MS } from '../sandbox/deadline.ts';
import type { Outcome, Sandbox } from '../sandbox/types.ts';
import { stageRun } from '../stage/stage.ts';
import { prepareLearner } from '../boundary/build.ts';
import { scanSubmission } from '../submission/scan.ts';

/** Everything one graded run needs. */
export interface RunChecksOptions {
  lab: Lab;
  root: string;
  files: Map<string, Buffer>;
  source: string;
  sha256: string;
  sandbox: Sandbox;
  limits?: Partial<LabLimits>;
  signal?: AbortSignal;
  /**
   * The code is the lab author's own (the solution, verify's runs): the checks may load it in their
   * own process, where coverage and mutation tools can instrument it. Never for a submission.
   */
  inProcess?: boolean;
  /** Told after each check's test reports, with how many have reported so far. */
  onCheckDone?: (done: number) => void;
  /** Told when the checks that hit the per-check limit (in seconds) start their second run, alone, by id. */
  onRerun?: (ids: string[], limitS: number) => void;
  /**
   * Type-check the editable files beside the run: for a learner's own check and watch runs. Off by
   * default: grade and verify run many at once, and each check holds a compiler (~200 MB). Watch
   * passes the TypeChecker it keeps, which re-checks only what changed.
   */
  typecheck?: boolean | TypeChecker;
  /** Run only these test files (relative to the lab folder); the other checks report no result. */
  testFiles?: string[];
}

/** The submission's TypeScript files, as text. */
function typeScriptFiles(files: Map<string, Buffer>): Record<string, string> {
  return Object.fromEntries([...files].filter(([f]) => /\.[cm]?ts$/.test(f)).map(([f, b]) => [f, b.toString('utf8')]));
}

/** The harness's vitest config, in the run tree. */
const HARNESS_CONFIG = '.ailab/vitest.config.mjs';

/** The vitest command line inside the run tree. */
function vitestArgs(nodeModules: string, root: string, labPath: string, testFiles: string[] = []): string[] {
  return [
    `${nodeModules}/vitest/vitest.mjs`,
    'run',
    '--config',
    `${root}/${HARNESS_CONFIG}`,
    '--root',
    `${root}/${labPath}`,
    '--configLoader',
    'native',
    ...testFiles,
  ];
}

/**
 * For the test files that failed to load: which one holds a check, found by the check's title
 * as a string in the file's source (no test of a file that failed to load was collected).
 */
function testFileOf(runDir: string, labPath: string, log: FrameLog): ((test: string) => string | undefined) | undefined {
  const failed = log.frames.filter((f) => f.type === 'module').map((f) => f.file);
  if (failed.length === 0) return undefined;
  const sources = new Map(failed.map((file) => [file, existsSync(join(runDir, labPath, file)) ? readFileSync(join(runDir, labPath, file), 'utf8') : '']));
  return (test) => {
    const title = test.split(' > ').at(-1) ?? test;
    return [...sources].find(([, text]) => [`'${title}'`, `"${title}"`, `\`${title}\``].some((quoted) => text.includes(quoted)))?.[0];
  };
}

/** The line that says why a process died: the first `...Error: ...` line of its output, else its last line. */
function deathCause(outcome: Outcome): string {
  const lines = stripAnsi(`${outcome.stderr}\n${outcome.stdout}`).split('\n').map((l) => l.trim()).filter(Boolean);
  const cause = lines.find((l) => /^\w*Error\b.*:/.test(l)) ?? lines.at(-1);
  return cause ? cause.slice(0, 500) : 'it printed nothing';
}

/**
 * The test runner never reported that it started, so no learner code ran: learner modules load
 * only in test workers, which start after the reporter's first frame. However the process ended,
 * it is the sandbox's failure, never the submission's.
 */
function runnerDidNotStart(outcome: Outcome): SandboxError {
  const how = outcome.timedOut
    ? `did not start within ${Math.round(START_LIMIT_MS / 1000)} s`
    : outcome.oomKilled
      ? 'ran out of memory while starting'
      : `exited with code ${outcome.exitCode ?? 'unknown'} before it started`;
  const where = outcome.kind === 'docker' ? `the image ${outcome.image}` : 'this machine';
  return new SandboxError(
    'E_SANDBOX',
    `The sandbox could not start the test runner: vitest ${how} in ${where} (${deathCause(outcome)}). The code was not graded; this is not a problem with the submission.`,
    outcome.kind === 'docker'
      ? 'Rebuild the sandbox image with `npm run lab -- image build --force`, then run again; `npm run lab -- doctor` probes it.'
      : 'Run `npm install` to repair node_modules, then run again; `npm run lab -- doctor` says what else is missing.',
  );
}

/** What one sandbox run of a submission gave, scored. */
interface GradedRun {
  outcome: Outcome;
  scored: Scored;
  compile: CompileError[];
  typed: CompileError[] | undefined;
}

/** The checks a run is limited to: vitest runs these tests only (the harness's testNamePattern), in these files. */
interface Only {
  tests: string[];
  files: string[];
}

/** Stages the submission, runs its tests and checks once in the sandbox, and scores what they reported. */
async function gradedRun(opts: RunChecksOptions, limits: LabLimits, only?: Only): Promise<GradedRun> {
  const { lab } = opts;
  const nonce = randomBytes(24).toString('hex');
  let reported = 0;
  let onStart!: () => void;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  const reader = createFrameReader(nonce, (frame) => {
    if (frame.type === 'start' || frame.type === 'end') mark(`run: vitest ${frame.type} frame`);
    if (frame.type === 'start') onStart();
    if (frame.type !== 'test') return;
    if (reported++ === 0) mark('run: first test frame');
    if (!only) opts.onCheckDone?.(reported);
  });
  const testFiles = only?.files ?? opts.testFiles;
  mark('run: staging');
  const tree = stageRun(lab, opts.root, opts.files, { linkNodeModules: opts.sandbox.kind === 'local' });
  try {
    mark('run: staged');
    await prepareLearner(tree.dir, tree.policy);
    mark('run: learner prepared');
    // On the host's other core while the sandbox runs; it never runs the learner's code.
    const job = { root: opts.root, labDir: lab.dir, files: typeScriptFiles(opts.files), max: 10 };
    const types = !opts.typecheck || only ? Promise.resolve(undefined) : opts.typecheck instanceof TypeChecker ? opts.typecheck.check(job) : typeErrors(job);
    const outcome = await opts.sandbox.run(
      {
        runDir: tree.dir,
        workdir: tree.labPath,
        args: ({ nodeModules, root }) => vitestArgs(nodeModules, root, tree.labPath, testFiles),
        vitest: { config: HARNESS_CONFIG, files: testFiles ?? [] },
        env: {
          NODE_ENV: 'test',
          CI: '1',
          NO_COLOR: '1',
          FORCE_COLOR: '0',
          TZ: 'UTC',
          LANG: 'C.UTF-8',
          AILAB_TEST_TIMEOUT_MS: String(Math.round(limits.test_timeout_s * 1000)),
          AILAB_WORKERS: String(Math.max(1, Math.floor(limits.cpus))),
          AILAB_EDITABLE: JSON.stringify(lab.manifest.files),
          AILAB_LAB_DIR: tree.labPath,
          AILAB_BOUNDARY: opts.inProcess ? 'in-process' : 'process',
          // The learner process's heap; the checks' side (vitest and one worker) keeps the rest.
          AILAB_LEARNER_HEAP_MB: String(Math.max(128, Math.floor(limits.memory_mb * 0.6))),
          AILAB_MEMORY_MB: String(limits.memory_mb),
          ...(only ? { AILAB_ONLY_TESTS: JSON.stringify(only.tests) } : {}),
        },
        stdin: nonce,
        limits,
        started,
        interceptStdout: reader.intercept,
        labels: { 'ailab.lab': lab.manifest.id },
      },
      opts.signal,
    );
    mark('run: sandbox returned');
    if (!reader.log.frames.some((f) => f.type === 'start')) throw runnerDidNotStart(outcome);
    const released = !existsSync(join(lab.dir, 'checks'));
    // A test file that could not load is most often a syntax error in the submission: find it with TypeScript's parser.
    const compile = reader.log.frames.some((f) => f.type === 'module') ? await syntaxErrors(opts.files) : [];
    const typed = compile.length > 0 ? undefined : await types;
    mark('run: type-check awaited');
    const scored = scoreChecks({ ...lab, manifest: { ...lab.manifest, limits } }, reader.log, outcome, { released, compile, overrides: opts.limits, fileOf: testFileOf(tree.dir, tree.labPath, reader.log) });
    return { outcome, scored, compile, typed };
  } finally {
    tree.cleanup();
    mark('run: cleaned up');
  }
}

/**
 * A check that hit the per-check limit runs once more, alone, and that result is final. A busy
 * machine can starve a correct check past its limit (CI once took 5.5 s over a 5 s limit on a check
 * that takes 0.3 s idle), and a sandbox's failure must never cost the learner points; a check
 * that hangs hangs again. Only the per-check limit earns a second run: a wrong answer is graded
 * once, and so is a run that hit the whole run's limit (limits.timeout_s, many times a run's cost),
 * which a second run would likely hit again at the same cost.
 */
async function rerunLimited(opts: RunChecksOptions, limits: LabLimits, first: GradedRun): Promise<{ checks: CheckResult[]; notes: string[] }> {
  const ids = new Set(first.scored.limited.map((l) => l.id));
  const { checks } = first.scored;
  if (ids.size === 0 || first.outcome.timedOut || opts.signal?.aborted) return { checks, notes: [] };
  const targets = checks.filter((c) => ids.has(c.id));
  const files = [...new Set(first.scored.limited.map((l) => l.file))];
  mark('run: rerunning checks that hit the per-check limit');
  opts.onRerun?.([...ids], limits.test_timeout_s);
  const again = await gradedRun(opts, limits, { tests: targets.map((c) => c.test), files });
  const twice = new Set(again.scored.limited.map((l) => l.id));
  const notes: string[] = [];
  const merged = checks.map((c) => {
    if (!ids.has(c.id)) return c;
    const r = again.scored.checks.find((k) => k.id === c.id)!;
    if (r.status === 'pass') notes.push(`${c.id} hit the per-check limit of ${limits.test_timeout_s} s in the full run and passed when run again alone: the machine was probably busy.`);
    const message = twice.has(c.id) ? `${r.message}\nIt hit the limit twice: in the full run and again when run alone.` : r.message;
    return { ...r, message, rerun: { status: c.status, durationMs: c.durationMs } };
  });
  return { checks: merged, notes };
}

/** Stages a submission, runs the lab's tests and checks in the sandbox, and scores the result. */
export async function runChecks(opts: RunChecksOptions): Promise<Results> {
  const { lab } = opts;
  const limits = { ...lab.manifest.limits, ...opts.limits };
  const startedAt = new Date().toISOString();
  const first = await gradedRun(opts, limits);
  const { outcome, compile, typed } = first;
  const rerun = await rerunLimited(opts, limits, first);
  const graded = rerun.checks.filter((c) => c.status !== 'skipped');
  const score = graded.reduce((s, c) => s + c.points, 0);
  const tasks = lab.manifest.tasks.map((task) => {
    const mine = graded.filter((c) => c.task === task.id);
    return { id: task.id, title: task.title, score: mine.reduce((s, c) => s + c.points, 0), maxScore: mine.reduce((s, c) => s + c.maxPoints, 0) };
  });
  const allPass = graded.every((c) => c.status === 'pass');
  const output = stripAnsi([outcome.stdout.trim(), outcome.stderr.trim()].filter(Boolean).join('\n'));
  const results: Results = {
    schemaVersion: 1,
    lab: { id: lab.manifest.id, title: lab.manifest.title, version: labVersion(lab, opts.root) },
    submission: { source: opts.source, sha256: opts.sha256, files: [...opts.files.keys()].sort() },
    status: allPass ? 'pass' : first.scored.ranTests === 0 ? 'error' : 'fail',
    score,
    maxScore: graded.reduce((s, c) => s + c.maxPoints, 0),
    tasks,
    checks: rerun.checks,
    problems: [...first.scored.problems, ...rerun.notes, ...scanSubmission(opts.files)],
    compile: compile.length > 0 ? compile : undefined,
    typeErrors: typed && typed.length > 0 ? typed : undefined,
    sandbox: {
      kind: outcome.kind,
      image: outcome.image,
      host: outcome.host,
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
      oomKilled: outcome.oomKilled,
      durationMs: outcome.durationMs,
      limits,
    },
    output,
    runner: { version: RUNNER_VERSION },
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  return ResultsSchema.parse(results);
}
