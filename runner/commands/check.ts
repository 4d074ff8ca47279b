import { writeFileSync } from 'node:fs';
import { parseOptions, type CommandContext } from '../cli.ts';
import { EXIT, SubmissionError, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { resolveLab } from '../lab/resolve.ts';
import { saveRun } from '../progress/record.ts';
import { PLATFORM_REPORTERS, REPORTER_NAMES, REPORTERS } from '../report/index.ts';
import { errorResults } from '../results/error-results.ts';
import { hashFiles } from '../submission/collect.ts';
import { runChecks } from '../run/run-checks.ts';
import { openSandbox, parseSandboxChoice } from '../sandbox/select.ts';
import { progress } from '../ui/progress.ts';
import { pickSubmission, RUN_OPTIONS, limitsOverride } from './options.ts';

const USAGE = 'check <lab> [options]';

const HELP = `Usage: ailab ${USAGE}

Scores a lab: runs its public tests and hidden checks against your editable files in a
locked-down Docker container (or locally, unisolated, when Docker is absent).

Options:
  --submission DIR     grade the editable files in DIR instead of your workspace
  --files-by-name      with --submission: a file at the top of DIR stands for the editable
                       file of that name (uploads that drop folders: Gradescope, PrairieLearn)
  --solution           grade the lab's reference solution
  --in-process         with --solution only: load it in the checks' own process (for coverage and
                       mutation tools); a submission always runs in a process of its own
  --sandbox KIND       docker | local | auto (default auto: docker when the daemon answers)
  --timeout S          override the lab's wall-clock limit, in seconds
  --test-timeout S     override the lab's per-check limit, in seconds
  --json               print the results object as JSON on stdout, nothing else
  --reporter NAME      ${REPORTER_NAMES.join(' | ')} (default terminal)
  --out FILE           also write the report to FILE (gradescope and prairielearn write
                       their platform's results.json; a submission that can't be taken
                       is a result there, score 0 with the reason, not an error)
  -h, --help           show this help

Exit codes: 0 all checks pass, 1 some checks fail, 2 usage/lab/submission error, 3 sandbox error.

Examples:
  npm run check lab-00
  npm run check 3 -- --sandbox local
  npm run check lab-02 -- --submission ../alice/lab-02 --json`;

/** `ailab check <lab>`: stage, run in the sandbox, score and report. */
export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    {
      ...RUN_OPTIONS,
      submission: { type: 'string' },
      'files-by-name': { type: 'boolean' },
      solution: { type: 'boolean' },
      'in-process': { type: 'boolean' },
      json: { type: 'boolean' },
      reporter: { type: 'string' },
      out: { type: 'string' },
    },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'Name the lab to check.' : `Check one lab at a time, not ${positionals.join(', ')}.`, 'Example: npm run check lab-00   (npm run lab -- list shows the labs)');
  const reporter = values.json ? 'json' : (values.reporter ?? 'terminal');
  if (!REPORTERS[reporter]) throw new UsageError(`Unknown reporter "${reporter}".`, `Reporters: ${REPORTER_NAMES.join(', ')}.`);
  if (values['in-process'] && !values.solution) {
    throw new UsageError('--in-process is only for the lab\'s own solution: graded code always runs in a process of its own, away from the checks.', 'Add --solution, or drop --in-process.');
  }
  const root = courseRoot();
  const lab = resolveLab(positionals[0], root);
  const limits = limitsOverride(values);
  let submission;
  try {
    submission = pickSubmission(lab, values, root);
  } catch (error) {
    // On a grading platform a submission that can't be taken is the student's result, written
    // where the platform reads it, not an error only the platform's log shows.
    if (!(error instanceof SubmissionError) || !PLATFORM_REPORTERS.has(reporter)) throw error;
    const reason = [error.message, error.hint].filter(Boolean).join('\n');
    const text = REPORTERS[reporter](errorResults(lab, root, values.submission ?? '', hashFiles(new Map()), reason, 'local'));
    process.stdout.write(text);
    if (values.out) writeFileSync(values.out, text);
    return EXIT.checksFailed;
  }
  const show = progress(reporter === 'terminal' || Boolean(values.out));
  // Building the image (or waiting for another run's build) is long work: always shown on stderr, even with --json.
  const building = progress();
  const sandbox = await openSandbox({ choice: parseSandboxChoice(values.sandbox), root, onProgress: building.step });
  building.done();
  // On a terminal the line keeps moving: the elapsed time, and how many checks have reported.
  let done = 0;
  let rerunning = ''; // the line while the checks that hit the per-check limit run again
  const say = () => show.step(rerunning || `running ${lab.checks.length} checks of ${lab.manifest.id} in the ${sandbox.kind} sandbox… ${done}/${lab.checks.length} done`);
  say();
  const ticker = show.live ? setInterval(say, 1000) : undefined;
  const onCheckDone = (n: number) => {
    done = n;
    if (show.live) say();
  };
  const run = { lab, root, files: submission.files, source: submission.source, sha256: submission.sha256, sandbox, limits, signal: ctx.signal };
  const onRerun = (ids: string[], limitS: number) => {
    rerunning = `running ${ids.join(', ')} again, alone: ${ids.length === 1 ? 'it' : 'they'} hit the per-check limit of ${limitS} s…`;
    say();
  };
  const results = await runChecks({ ...run, inProcess: Boolean(values['in-process']), typecheck: true, onCheckDone, onRerun }).finally(() => clearInterval(ticker));
  show.done();
  if (!values.submission && !values.solution) saveRun(root, results); // only the learner's own workspace is progress
  const text = REPORTERS[reporter](results);
  process.stdout.write(text);
  if (values.out) writeFileSync(values.out, text);
  return results.status === 'pass' ? EXIT.ok : EXIT.checksFailed;
}
