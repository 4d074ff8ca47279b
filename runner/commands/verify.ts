import { join } from 'node:path';
import { parseOptions, type CommandContext } from '../cli.ts';
import { EXIT, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { Slots, whenCpuIdle } from '../core/pool.ts';
import { refuseInStudentCopy } from '../release/release.ts';
import { loadLab, type Lab } from '../lab/load.ts';
import { mutationScore, type LabMutation } from '../lab/mutation.ts';
import { findLabDir, listLabDirs } from '../lab/resolve.ts';
import { verifyLab, type LabVerification } from '../lab/verify.ts';
import { openSandbox, parseSandboxChoice } from '../sandbox/select.ts';
import { colors } from '../ui/colors.ts';
import { progress } from '../ui/progress.ts';
import { RUN_OPTIONS, wholeNumber } from './options.ts';

const HELP = `Usage: ailab verify [lab...] [options]

Proves each lab's checks are sound:
  - the lab has a README.md, and every docs: anchor in lab.yaml is a heading in it;
  - the solution scores 100, and every test maps to a check in the right folder;
  - the untouched starter scores at most the lab's starter_ceiling (default 10%);
  - every mutant in mutants/ (mutants/NAME.patch, a diff against solution/) fails exactly
    the checks its kills: names.

With --mutation it scores the checks with StrykerJS instead: Stryker mutates each lab's
solution and runs the public tests and checks against every mutant (the solution loaded
in-process, as check --solution --in-process does). A lab passes when its score, with
the equivalent mutants that lab.yaml lists left out, is at least its mutation.min_score
(default 90). Reports: .ailab/mutation/<lab>/mutation.{json,html}. Mutants whose code and
tests did not change since the last run keep their result (Stryker's incremental mode,
mutants/stryker-incremental.json); --force tests them all again.

Options:
  --jobs N         runs at once (default 2), across all the labs; up to twice as
                   many while the cores are more than 40% idle
  --sandbox KIND   docker | local | auto (default auto)
  --mutation       score the checks with StrykerJS (see above), not the patch mutants
  --force          with --mutation: test every mutant again, ignoring the incremental file
  --json           print the verification as JSON
  -h, --help       show this help

Examples:
  npm run verify
  npm run verify -- lab-00 --json
  npm run verify -- --mutation lab-00`;

/** `verify --mutation`: each lab's StrykerJS score, one lab at a time (Stryker fills the cores itself). */
async function verifyMutation(labs: Lab[], root: string, opts: { jobs: number; force: boolean; json: boolean; signal: AbortSignal }): Promise<number> {
  const show = progress(!opts.json);
  const reports: LabMutation[] = [];
  for (const lab of labs) reports.push(await mutationScore(lab, root, { jobs: opts.jobs, force: opts.force, signal: opts.signal, onProgress: show.step }));
  show.done();
  const ok = reports.every((r) => r.ok);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok, labs: reports }, null, 2)}\n`);
    return ok ? EXIT.ok : EXIT.checksFailed;
  }
  const c = colors();
  for (const r of reports) {
    const m = r.mutation;
    const counts = [`${m.killed + m.timedOut} detected`, `${m.survived.length} survived`, `${m.equivalent} equivalent`, m.invalid ? `${m.invalid} invalid` : '', m.rechecked ? `${m.rechecked} rerun by ailab, as Stryker ran no test` : ''].filter(Boolean).join(', ');
    process.stdout.write(`${r.ok ? c.green('✓') : c.red('✗')} ${c.bold(r.id)}  mutation score ${c.bold(`${m.score.toFixed(2)}%`)} ${c.dim(`(min ${m.minScore}%; ${counts} of ${m.total})  ${(r.durationMs / 1000).toFixed(1)} s`)}\n`);
    for (const s of m.survived) process.stdout.write(`    ${c.yellow('survived')} ${s.file}:${s.line}:${s.column}  ${s.mutator} → ${s.replacement.replace(/\s+/g, ' ').slice(0, 100)}${s.status === 'NoCoverage' ? c.dim('  (no test reaches it)') : ''}\n`);
    for (const e of m.errors) process.stdout.write(`    ${c.red('error')} ${e}\n`);
    process.stdout.write(`    ${c.dim(`report: ${m.reports.html}`)}\n`);
  }
  const failed = reports.filter((r) => !r.ok).length;
  process.stdout.write(`\n${failed === 0 ? c.green(`mutation scores reach their floor in ${reports.length} lab(s)`) : c.red(`${failed} of ${reports.length} lab(s) fall short; a survivor is a bug the checks miss, or an equivalent mutant to list in lab.yaml with its reason (docs/lab-format.md)`)}\n`);
  return ok ? EXIT.ok : EXIT.checksFailed;
}

/** `ailab verify [lab...]`. */
export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(argv, { ...RUN_OPTIONS, jobs: { type: 'string' }, json: { type: 'boolean' }, mutation: { type: 'boolean' }, force: { type: 'boolean' } }, 'verify [lab...]');
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const jobs = wholeNumber('jobs', values.jobs, 64) ?? 2;
  const root = courseRoot();
  refuseInStudentCopy(root, 'verify');
  const dirs = positionals.length > 0 ? positionals.map((q) => findLabDir(q, root)) : listLabDirs(root).map((n) => join(root, 'labs', n));
  const labs = dirs.map((d) => loadLab(d, root));
  if (values.force && !values.mutation) throw new UsageError('--force only goes with --mutation: it makes StrykerJS test every mutant again.', 'Add --mutation, or drop --force.');
  if (values.mutation) {
    if (values.sandbox) throw new UsageError('--sandbox does not go with --mutation: StrykerJS runs the solution in-process, with no sandbox.', 'Drop --sandbox.');
    return verifyMutation(labs, root, { jobs, force: Boolean(values.force), json: Boolean(values.json), signal: ctx.signal });
  }
  const show = progress(!values.json);
  // Building the image (or waiting for another run's build) is long work: always shown on stderr, even with --json.
  const building = progress();
  // Every run is the lab author's own code: containers stay up between runs (warm.ts).
  const sandbox = await openSandbox({ choice: parseSandboxChoice(values.sandbox), root, warm: true, onProgress: building.step });
  building.done();
  // The labs share one set of slots, so one lab's runs fill the cores that another's leave idle while
  // they wait on timers and sockets (lab-03); more start only while the cores have time to spare.
  const slots = new Slots(jobs, whenCpuIdle(2 * jobs));
  let reports: LabVerification[];
  try {
    show.step(`verifying ${labs.map((l) => l.manifest.id).join(', ')}…`);
    const settled = await Promise.allSettled(
      labs.map((lab) =>
        verifyLab(lab, root, sandbox, { slots, signal: ctx.signal, onProgress: show.step }).catch((error) => {
          slots.stop(error); // the other labs start nothing more
          throw error;
        }),
      ),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    reports = settled.map((s) => (s as PromiseFulfilledResult<LabVerification>).value);
  } finally {
    await sandbox.close?.();
  }
  show.done();
  const ok = reports.every((r) => r.ok);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok, labs: reports }, null, 2)}\n`);
  } else {
    const c = colors();
    for (const r of reports) {
      process.stdout.write(`${r.ok ? c.green('✓') : c.red('✗')} ${c.bold(r.lab)}  ${c.dim(`${(r.durationMs / 1000).toFixed(1)} s`)}\n`);
      for (const p of r.proofs) {
        process.stdout.write(`    ${p.ok ? c.green('✓') : c.red('✗')} ${p.name}  ${c.dim(`${p.score}/${p.maxScore}`)}\n`);
        for (const d of p.detail) process.stdout.write(`        ${d}\n`);
      }
    }
    process.stdout.write(`\n${ok ? c.green(`verified ${reports.length} lab(s)`) : c.red(`${reports.filter((r) => !r.ok).length} of ${reports.length} lab(s) failed verification`)}\n`);
  }
  return ok ? EXIT.ok : EXIT.checksFailed;
}
