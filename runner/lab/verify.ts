import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../core/errors.ts';
import { globSync } from 'tinyglobby';
import { mapPool, type Slots } from '../core/pool.ts';
import type { Results } from '../results/schema.ts';
import { runChecks } from '../run/run-checks.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { collectSubmission, hashFiles } from '../submission/collect.ts';
import { learnerSourcesByTestFile } from './affected.ts';
import { docsProblems } from './docs.ts';
import { loadMutants, mutantFiles, type Lab } from './load.ts';
import type { MutantManifest } from './schema.ts';

/** One proof in a lab's verification, with what went wrong when it failed. */
export interface Proof {
  name: string;
  ok: boolean;
  score: number;
  maxScore: number;
  detail: string[];
}

/** The verification of one lab. */
export interface LabVerification {
  lab: string;
  ok: boolean;
  proofs: Proof[];
  durationMs: number;
}

const failing = (r: Results) => r.checks.filter((c) => c.status !== 'pass').map((c) => c.id);

/** A run of some test files, completed with the solution's results for the checks of the others. */
export function withSolutionChecks(partial: Results, solution: Results, ran: string[]): Results {
  const checks = partial.checks.map((c) => {
    const base = solution.checks.find((s) => s.id === c.id);
    return base?.file && !ran.includes(base.file) ? base : c;
  });
  const score = checks.reduce((sum, c) => sum + c.points, 0);
  return { ...partial, checks, score, status: checks.every((c) => c.status === 'pass' || c.status === 'skipped') ? 'pass' : 'fail' };
}

/** A mutant's `hints:` that the run did not give: the check failed, but its hint is not the one for this cause. */
export function wrongHints(lab: Lab, mutant: MutantManifest, r: Results): string[] {
  return Object.entries(mutant.hints ?? {}).flatMap(([id, key]) => {
    const got = r.checks.find((c) => c.id === id);
    const want = lab.checks.find((c) => c.id === id)?.hint_when?.[key];
    if (!got || got.status === 'pass' || got.hint === want) return [];
    return [`${id} should give its "${key}" hint, but gave: ${got.hint ?? '(no hint)'} (message: ${(got.message ?? '').split('\n')[0]})`];
  });
}

/** Checks that each test ran from the folder its visibility says, and that every test is mapped. */
function mappingProblems(results: Results): string[] {
  const out = [...results.problems.filter((p) => p.startsWith('authoring error'))];
  for (const check of results.checks) {
    const dir = check.visibility === 'public' ? 'tests/' : 'checks/';
    if (check.file && !check.file.startsWith(dir)) out.push(`${check.id} is ${check.visibility} but its test is in ${check.file}; ${check.visibility} tests live in ${dir}`);
  }
  return out;
}

/** The proof that the lab has a README.md and that every check's `docs:` link resolves in it. */
export function docsProof(lab: Lab, root: string): Proof {
  const detail = docsProblems(lab, root);
  return { name: 'README.md and docs: anchors', ok: detail.length === 0, score: 0, maxScore: 0, detail };
}

/**
 * Proves a lab's checks are sound: the solution scores 100, the starter stays under its ceiling,
 * each mutant fails exactly the checks it names, manifest and tests agree both ways, and the
 * README.md has every anchor a check's `docs:` names.
 */
export async function verifyLab(lab: Lab, root: string, sandbox: Sandbox, opts: { slots: Slots | number; signal?: AbortSignal; onProgress?: (s: string) => void }): Promise<LabVerification> {
  const started = Date.now();
  const solutionDir = join(lab.dir, 'solution');
  const docs = docsProof(lab, root);
  const mutants = loadMutants(lab, root);
  const solution = collectSubmission(lab, solutionDir, 'solution');
  const starter = collectSubmission(lab, lab.dir, 'starter');
  type Job = { name: string; files: Map<string, Buffer>; inProcess?: boolean; solution?: boolean; mutant?: boolean; judge: (r: Results) => Proof };
  const jobs: Job[] = [];
  const setupProblems = [...solution.problems.map((p) => `solution: ${p}`), ...starter.problems.map((p) => `starter: ${p}`)];
  if (!existsSync(solutionDir) || !statSync(solutionDir).isDirectory()) setupProblems.push('solution/ is missing');
  if (setupProblems.length > 0) {
    return { lab: lab.manifest.id, ok: false, proofs: [docs, { name: 'files', ok: false, score: 0, maxScore: lab.maxScore, detail: setupProblems }], durationMs: 0 };
  }
  jobs.push({
    name: 'solution scores 100',
    files: solution.files,
    solution: true,
    judge: (r) => {
      const detail = [...mappingProblems(r), ...r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status}: ${(c.message ?? '').split('\n')[0]}`)];
      return { name: 'solution scores 100', ok: detail.length === 0 && r.score === r.maxScore, score: r.score, maxScore: r.maxScore, detail };
    },
  });
  // The same checks against the same solution, loaded in the checks' own process (check --solution --in-process).
  jobs.push({
    name: 'solution scores 100 in-process',
    files: solution.files,
    inProcess: true,
    judge: (r) => {
      const detail = r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status}: ${(c.message ?? '').split('\n')[0]}`);
      return { name: 'solution scores 100 in-process', ok: detail.length === 0 && r.score === r.maxScore, score: r.score, maxScore: r.maxScore, detail };
    },
  });
  const ceiling = lab.manifest.starter_ceiling;
  jobs.push({
    name: `starter scores <= ${ceiling}%`,
    files: starter.files,
    judge: (r) => {
      const pct = (100 * r.score) / r.maxScore;
      const passing = r.checks.filter((c) => c.status === 'pass').map((c) => c.id);
      return { name: `starter scores <= ${ceiling}%`, ok: pct <= ceiling, score: r.score, maxScore: r.maxScore, detail: pct <= ceiling ? [] : [`the starter scores ${pct.toFixed(0)}%: ${passing.join(', ')} pass without any work`] };
    },
  });
  for (const mutant of mutants) {
    const name = `mutant ${mutant.name} is caught`;
    let files: Map<string, Buffer>;
    try {
      files = mutantFiles(mutant, solution.files, root);
    } catch (error) {
      if (!(error instanceof LabError)) throw error;
      jobs.push({ name, files: new Map(), judge: () => ({ name, ok: false, score: 0, maxScore: lab.maxScore, detail: [`${error.message} ${error.hint ?? ''}`.trim()] }) });
      continue;
    }
    jobs.push({
      name,
      files,
      mutant: true,
      judge: (r) => {
        const want = new Set(mutant.manifest.kills);
        const got = new Set(failing(r));
        const survived = [...want].filter((id) => !got.has(id));
        const extra = [...got].filter((id) => !want.has(id));
        const detail = [
          ...r.problems.filter((p) => p.startsWith('authoring error')),
          ...survived.map((id) => `${id} should fail but passes: the check does not catch "${mutant.manifest.why}"`),
          ...extra.map((id) => `${id} fails too (${r.checks.find((c) => c.id === id)?.status}); add it to kills or make the mutant more targeted`),
          ...wrongHints(lab, mutant.manifest, r),
        ];
        return { name, ok: detail.length === 0, score: r.score, maxScore: r.maxScore, detail };
      },
    });
  }
  if (mutants.length === 0) jobs.push({ name: 'has mutants', files: new Map(), judge: () => ({ name: 'has mutants', ok: false, score: 0, maxScore: 0, detail: ['mutants/ is empty: a check no mutant can fail is a weak check'] }) });
  let done = 0;
  // A mutant runs only the test files that can load a file it changes; every other check keeps the
  // solution's result, which is the same code (learnerSourcesByTestFile). The solution runs first.
  let solved: (r: Results | undefined) => void = () => undefined;
  const solutionRun = new Promise<Results | undefined>((resolve) => (solved = resolve));
  const testFiles = globSync(['tests/**/*.test.ts', 'checks/**/*.test.ts'], { cwd: lab.dir }).sort();
  const run = (job: Job, only?: string[]) =>
    runChecks({ lab, root, files: job.files, source: job.name, sha256: hashFiles(job.files), sandbox, signal: opts.signal, inProcess: job.inProcess, testFiles: only });
  const runJob = async (job: Job): Promise<Proof> => {
    if (job.files.size === 0) return job.judge(undefined as unknown as Results);
    let r: Results;
    let files = '';
    if (!job.mutant) {
      r = await run(job).catch((error) => {
        if (job.solution) solved(undefined);
        throw error;
      });
      if (job.solution) solved(r.score === r.maxScore && r.checks.every((c) => c.file) ? r : undefined);
    } else {
      const base = await solutionRun;
      const changed = [...job.files].filter(([f, b]) => !solution.files.get(f)?.equals(b)).map(([f]) => f);
      const graph = base ? await learnerSourcesByTestFile(lab.dir, testFiles, job.files) : undefined;
      const affected = graph ? testFiles.filter((t) => { const s = graph.get(t); return s === 'all' || changed.some((f) => s?.has(f)); }) : testFiles;
      if (affected.length === 0) return { name: job.name, ok: false, score: 0, maxScore: lab.maxScore, detail: [`no test file can load what the mutant changes (${changed.join(', ') || 'nothing'}), so no check can catch it`] };
      r = affected.length === testFiles.length ? await run(job) : withSolutionChecks(await run(job, affected), base!, affected);
      files = `, ${affected.length}/${testFiles.length} test files`;
    }
    opts.onProgress?.(`${lab.manifest.id}: ${++done}/${jobs.length} runs done (${job.name}${files})`);
    return job.judge(r);
  };
  // The mutants queue for a slot only once the solution has run, so that none holds a slot waiting for it.
  let baseFailed = false;
  const baseJobs = jobs.filter((j) => !j.mutant);
  const baseRun = mapPool(baseJobs, opts.slots, runJob, opts.signal).catch((error) => {
    baseFailed = true;
    solved(undefined);
    throw error;
  });
  const mutantRun = solutionRun.then(() => (baseFailed ? [] : mapPool(jobs.filter((j) => j.mutant), opts.slots, runJob, opts.signal)));
  // Both settle before this returns or throws: no run of this lab is left in flight.
  const [baseProofs, mutantProofs] = await Promise.allSettled([baseRun, mutantRun]);
  if (baseProofs.status === 'rejected') throw baseProofs.reason;
  if (mutantProofs.status === 'rejected') throw mutantProofs.reason;
  const proofs = [...baseProofs.value, ...mutantProofs.value];
  return { lab: lab.manifest.id, ok: docs.ok && proofs.every((p) => p.ok), proofs: [docs, ...proofs], durationMs: Date.now() - started };
}
