// `verify --mutation`: a standard mutation score for a lab's checks, from StrykerJS. Stryker
// mutates the lab's solution (laid over the starter in a run tree, as a graded run stages it) and
// runs the public tests and checks against each mutant through its vitest runner, with the
// solution loaded in the checks' own process: the trusted in-process path, never a submission.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { AilabError, EXIT, InterruptedError } from '../core/errors.ts';
import { stripAnsi } from '../results/messages.ts';
import { stageRun } from '../stage/stage.ts';
import { runChecks } from '../run/run-checks.ts';
import { LocalSandbox } from '../sandbox/local.ts';
import { collectSubmission, hashFiles } from '../submission/collect.ts';
import type { Lab } from './load.ts';
import type { LabEquivalent } from './schema.ts';

/** A mutant the checks let through. */
export interface Survivor {
  /** The solution file, relative to the lab folder. */
  file: string;
  line: number;
  column: number;
  mutator: string;
  replacement: string;
  /** Survived: tests ran and passed. NoCoverage: no test reaches the code at all. */
  status: 'Survived' | 'NoCoverage';
}

/** One lab's mutation score. */
export interface LabMutation {
  id: string;
  lab: string;
  /** The score reaches min_score and nothing below went wrong. */
  ok: boolean;
  durationMs: number;
  mutation: {
    /** Per cent of the mutants the checks detect (killed or timed out), equivalents left out. */
    score: number;
    minScore: number;
    /** Mutants the checks detect: a check failed (killed), or the mutant ran past Stryker's time limit. */
    killed: number;
    timedOut: number;
    survived: Survivor[];
    /** Survivors that lab.yaml lists as equivalent. */
    equivalent: number;
    /** Mutants that do not compile or crash before any test (Stryker leaves them out of its score too). */
    invalid: number;
    /** Mutants Stryker ran no test against (issues #6213, #6192) that ailab ran through the checks itself. */
    rechecked: number;
    /** Every mutant Stryker made. */
    total: number;
    /** Measurements that can't be trusted, and lab.yaml equivalents that match no surviving mutant. */
    errors: string[];
    /** Stryker's own reports, relative to the course root. */
    reports: { json: string; html: string };
  };
}

/** A mutant as Stryker's JSON report (mutation-testing-report-schema) holds it. */
interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';
  testsCompleted?: number;
  location: { start: { line: number; column: number }; end?: { line: number; column: number } };
}

/** What ailab's own run of a mutant said, for a "survivor" Stryker ran no test against: keyed by mutantKey. */
export type Rechecks = Map<string, 'killed' | 'survived'>;

/** A mutant's key in Rechecks: its file, place, mutator and replacement. */
export const mutantKey = (file: string, m: ReportMutant) => `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} ${m.replacement ?? ''}`;

/** True for the "survivors" of Stryker issues #6213 and #6192: no test completed against them. */
const ranNoTest = (m: ReportMutant) => m.status === 'Survived' && (m.testsCompleted ?? 0) === 0;

/** A report's file path, relative to the lab folder. */
const labRelative = (labPath: string, path: string) => (path.startsWith(`${labPath}/`) ? path.slice(labPath.length + 1) : path);

/** The report's mutants that ailab must run itself (ranNoTest), with their files relative to the lab. */
export function unconfirmedSurvivors(labPath: string, report: { files: Record<string, { mutants: ReportMutant[] }> }): { file: string; mutant: ReportMutant }[] {
  return Object.entries(report.files).flatMap(([path, entry]) => {
    const file = labRelative(labPath, path);
    return entry.mutants.filter(ranNoTest).map((mutant) => ({ file, mutant }));
  });
}

/** The source with one mutant applied: its range (1-based lines and columns, end exclusive) replaced. */
export function applyMutant(source: string, m: ReportMutant): string {
  if (!m.location.end || m.replacement === undefined) throw new Error(`the report gives no range or replacement for mutant ${m.id}`);
  const lines = source.split('\n');
  const offset = (at: { line: number; column: number }) => lines.slice(0, at.line - 1).reduce((n, l) => n + l.length + 1, 0) + at.column - 1;
  return source.slice(0, offset(m.location.start)) + m.replacement + source.slice(offset(m.location.end));
}

/** StrykerJS could not score the lab: it is not installed, or its run failed. */
export class MutationToolError extends AilabError {
  constructor(message: string, hint: string) {
    super('E_MUTATION_TOOL', message, hint, EXIT.infrastructure);
  }
}

/** Where Stryker's reports for a lab go: the course's .ailab/mutation/<lab>/. */
export function mutationReportDir(lab: Lab, root: string): string {
  return join(root, '.ailab', 'mutation', lab.name);
}

/** The committed file of Stryker's incremental mode: mutants/, which is never staged or released. */
export function incrementalFile(lab: Lab): string {
  return join(lab.dir, 'mutants', 'stryker-incremental.json');
}

/** An equivalent entry's `at:` (file:line or file:line:column), split up. */
function parseAt(at: string): { file: string; line: number; column?: number } {
  const [file, line, column] = at.split(':');
  return { file, line: Number(line), column: column === undefined ? undefined : Number(column) };
}

/** True when a lab.yaml equivalent entry, its `at:` parsed, names this mutant. */
function matches({ entry, at }: { entry: LabEquivalent; at: ReturnType<typeof parseAt> }, file: string, m: ReportMutant): boolean {
  return (
    at.file === file &&
    at.line === m.location.start.line &&
    (at.column === undefined || at.column === m.location.start.column) &&
    entry.mutator === m.mutatorName &&
    entry.replacement === (m.replacement ?? '')
  );
}

/** How a mutant is shown in a message: src/x.ts:38:45 EqualityOperator → `x.id <= y.id`. */
function describe(file: string, m: ReportMutant): string {
  return `${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} → \`${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 120)}\``;
}

/** Scores Stryker's JSON report against the lab's listed equivalents. */
export function scoreReport(lab: Lab, labPath: string, report: { files: Record<string, { mutants: ReportMutant[] }> }, rechecks: Rechecks = new Map()): Omit<LabMutation['mutation'], 'reports' | 'minScore'> {
  const equivalents = lab.manifest.mutation.equivalent.map((entry) => ({ entry, at: parseAt(entry.at) }));
  const used = new Set<LabEquivalent>();
  const survived: Survivor[] = [];
  const errors: string[] = [];
  let killed = 0;
  let timedOut = 0;
  let equivalent = 0;
  let invalid = 0;
  let rechecked = 0;
  let total = 0;
  for (const [path, entry] of Object.entries(report.files)) {
    const file = labRelative(labPath, path);
    for (const m of entry.mutants) {
      total++;
      // For a "survivor" Stryker ran no test against: what ailab's own run of it said, if it ran.
      const verdict = ranNoTest(m) ? (rechecks.get(mutantKey(file, m)) ?? 'not rerun') : undefined;
      const listed = equivalents.find((e) => matches(e, file, m))?.entry;
      if (listed) used.add(listed);
      if (m.status === 'Killed' || m.status === 'Timeout') {
        if (m.status === 'Killed') killed++;
        else timedOut++;
        if (listed) errors.push(`lab.yaml lists ${describe(file, m)} as equivalent, but the checks detect it (${m.status.toLowerCase()}): remove the entry.`);
      } else if (verdict === 'killed') {
        // Stryker ran no test (issues #6213 and #6192), and ailab's own run of it fails checks.
        killed++;
        rechecked++;
        if (listed) errors.push(`lab.yaml lists ${describe(file, m)} as equivalent, but the checks detect it (rechecked by ailab): remove the entry.`);
      } else if (verdict === 'not rerun') {
        // Stryker issues #6213 and #6192: with vitest 4.1 a run can complete no test and still say "survived".
        errors.push(`${describe(file, m)}: Stryker says it survived, but no test ran against it (testsCompleted 0), so that measures nothing. Run again with --force; if it stays, it is Stryker's bug (stryker-js #6213), not a weak check.`);
      } else if (m.status === 'Survived' || m.status === 'NoCoverage') {
        if (verdict) rechecked++; // ailab's own run passes every check: a survivor after all
        if (listed) equivalent++;
        else survived.push({ file, line: m.location.start.line, column: m.location.start.column, mutator: m.mutatorName, replacement: m.replacement ?? '', status: m.status });
      } else if (m.status === 'CompileError' || m.status === 'RuntimeError') invalid++;
      else if (m.status !== 'Ignored') errors.push(`${describe(file, m)}: Stryker left it ${m.status}, with no result.`);
    }
  }
  for (const { entry: e } of equivalents) {
    if (!used.has(e)) errors.push(`lab.yaml lists an equivalent mutant at ${e.at} (${e.mutator} → \`${e.replacement}\`) that Stryker no longer makes: the solution changed; remove or move the entry.`);
  }
  const detected = killed + timedOut;
  const counted = detected + survived.length;
  if (total === 0) errors.push('Stryker made no mutants of the solution: check the lab\'s files: globs.');
  const score = counted === 0 ? 100 : Math.floor((detected / counted) * 10_000) / 100;
  return { score, killed, timedOut, survived, equivalent, invalid, rechecked, total, errors };
}

/** The Stryker CLI in the course's node_modules, or a clear error when it isn't installed. */
function strykerBin(root: string): string {
  const bin = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  if (!existsSync(bin) || !existsSync(join(root, 'node_modules', '@stryker-mutator', 'vitest-runner'))) {
    throw new MutationToolError(
      'StrykerJS is not installed in this course: `verify --mutation` needs @stryker-mutator/core and @stryker-mutator/vitest-runner (both 9.6.1, dev dependencies).',
      'Run `npm install` in the course folder (without --omit=dev), then run again.',
    );
  }
  return bin;
}

/**
 * Strips what ties the committed incremental file to one machine and one run: the run tree's
 * path (projectRoot) and the options Stryker ran with (config, which holds absolute paths).
 * Stryker reuses results by the files' and tests' contents, which stay.
 */
function keepPortable(file: string): void {
  if (!existsSync(file)) return;
  const { projectRoot: _root, config: _config, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, `${JSON.stringify(rest)}\n`);
}

/** Options for one lab's mutation run. */
export interface MutationOptions {
  /** Stryker's concurrency: test-runner processes at once. */
  jobs: number;
  /** Test every mutant again, ignoring the incremental file. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

/** Progress lines of Stryker's progress-append-only reporter: "Mutation testing 64% (…) 32/50 tested (2 survived, 0 timed out)". */
const PROGRESS = /Mutation testing \d+% .*?(\d+)\/(\d+) tested \((\d+) survived/;

/** Runs StrykerJS on the lab's solution against its public tests and checks, and scores the result. */
export async function mutationScore(lab: Lab, root: string, opts: MutationOptions): Promise<LabMutation> {
  const started = performance.now();
  const bin = strykerBin(root);
  const id = lab.manifest.id;
  // loadLab has refused a skip: entry that names no check.
  const skipped = lab.manifest.mutation.skip.map(({ check }) => lab.checks.find((c) => c.id === check)?.test);
  const solution = collectSubmission(lab, join(lab.dir, 'solution'));
  const tree = stageRun(lab, root, solution.files, { linkNodeModules: true });
  const reportDir = mutationReportDir(lab, root);
  mkdirSync(reportDir, { recursive: true });
  const reports = { json: join(reportDir, 'mutation.json'), html: join(reportDir, 'mutation.html') };
  // An earlier run's report must never pass for this run's.
  for (const file of Object.values(reports)) rmSync(file, { force: true });
  try {
    const config = {
      $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
      testRunner: 'vitest',
      plugins: ['@stryker-mutator/vitest-runner'],
      // The run tree is a throwaway copy: mutate it where it is rather than copy it again.
      inPlace: true,
      mutate: [...solution.files.keys()].filter((f) => /\.[cm]?ts$/.test(f)).map((f) => `${tree.labPath}/${f}`),
      coverageAnalysis: 'perTest',
      // The checks reach the solution through learner('src/x.ts'), not through imports, so vitest's
      // "related" filter would find no test for any mutant: every test file runs (coverage still picks the tests per mutant).
      vitest: { configFile: '.ailab/mutation.config.mjs', related: false },
      concurrency: opts.jobs,
      incremental: true,
      incrementalFile: incrementalFile(lab),
      force: Boolean(opts.force),
      reporters: ['json', 'html', 'progress-append-only'],
      jsonReporter: { fileName: reports.json },
      htmlReporter: { fileName: reports.html },
      // The score and its floor are ours (lab.yaml), computed without the listed equivalents.
      thresholds: { high: 100, low: lab.manifest.mutation.min_score, break: null },
      logLevel: 'warn',
      fileLogLevel: 'off',
      cleanTempDir: 'always',
    };
    writeFileSync(join(tree.dir, 'stryker.config.json'), `${JSON.stringify(config, null, 2)}\n`);
    opts.onProgress?.(`${id}: StrykerJS is mutating the solution and running the checks against each mutant…`);
    const child = execa(process.execPath, [bin, 'run', 'stryker.config.json'], {
      cwd: tree.dir,
      reject: false,
      all: true,
      stdin: 'ignore',
      cancelSignal: opts.signal,
      env: { AILAB_LAB_DIR: tree.labPath, AILAB_MUTATION_SKIP: JSON.stringify(skipped), AILAB_TEST_TIMEOUT_MS: String(Math.round(lab.manifest.limits.test_timeout_s * 1000)), NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
    });
    child.all?.on('data', (chunk: Buffer) => {
      const line = [...stripAnsi(chunk.toString('utf8')).matchAll(new RegExp(PROGRESS, 'g'))].at(-1);
      if (line) opts.onProgress?.(`${id}: StrykerJS has tested ${line[1]} of ${line[2]} mutants (${line[3]} survived so far)`);
    });
    const done = await child;
    if (opts.signal?.aborted) throw new InterruptedError();
    if (done.exitCode !== 0 || !existsSync(reports.json)) {
      const tail = stripAnsi(done.all ?? '').split('\n').filter((l) => l.trim() && !PROGRESS.test(l)).slice(-25).join('\n');
      throw new MutationToolError(
        `StrykerJS could not score ${id} (exit code ${done.exitCode ?? 'none'}). Its last lines:\n${tail || '(it printed nothing)'}`,
        'If its initial test run failed, the solution fails its own checks in-process: run `npm run check -- ' + id + ' --solution --in-process`. Otherwise run again with --force.',
      );
    }
    keepPortable(incrementalFile(lab));
    const report = JSON.parse(readFileSync(reports.json, 'utf8'));
    const rechecks = await recheck(lab, root, solution.files, unconfirmedSurvivors(tree.labPath, report), opts);
    const scored = scoreReport(lab, tree.labPath, report, rechecks);
    const minScore = lab.manifest.mutation.min_score;
    return {
      id,
      lab: lab.name,
      ok: scored.errors.length === 0 && scored.score >= minScore,
      durationMs: Math.round(performance.now() - started),
      mutation: { ...scored, minScore, reports: { json: relative(root, reports.json), html: relative(root, reports.html) } },
    };
  } finally {
    tree.cleanup();
  }
}

/**
 * Runs each mutant Stryker ran no test against through the lab's checks itself, in-process as
 * Stryker does (the mutant is the solution's code): killed when any check fails, survived when all
 * pass. A mutant that breaks the module at load (`new TextDecoder('')`) is one Stryker misses so.
 */
async function recheck(lab: Lab, root: string, solution: Map<string, Buffer>, mutants: { file: string; mutant: ReportMutant }[], opts: MutationOptions): Promise<Rechecks> {
  const verdicts: Rechecks = new Map();
  const sandbox = new LocalSandbox();
  for (const { file, mutant } of mutants) {
    const source = solution.get(file);
    if (!source) continue;
    opts.onProgress?.(`${lab.manifest.id}: running ${file}:${mutant.location.start.line}:${mutant.location.start.column} through the checks, since Stryker ran no test against it`);
    const files = new Map(solution).set(file, Buffer.from(applyMutant(source.toString('utf8'), mutant)));
    const r = await runChecks({ lab, root, files, source: `Stryker mutant ${mutant.id}`, sha256: hashFiles(files), sandbox, signal: opts.signal, inProcess: true });
    verdicts.set(mutantKey(file, mutant), r.score < r.maxScore ? 'killed' : 'survived');
  }
  return verdicts;
}
