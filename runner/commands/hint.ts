import { parseOptions } from '../cli.ts';
import { EXIT, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { docsLocation } from '../lab/docs.ts';
import { resolveLab } from '../lab/resolve.ts';
import { importGraded, readGraded } from '../progress/graded.ts';
import { hintLadder, pickHintCheck, revealNext } from '../progress/hints.ts';
import { HIDDEN_HINT, isStudentCopy } from '../release/release.ts';
import { readProgress, writeProgress } from '../progress/store.ts';
import { colors } from '../ui/colors.ts';

const USAGE = 'hint <lab> [check] [--graded FILE]';

const HELP = `Usage: ailab ${USAGE}

Shows the next hint for a check. Each check has a ladder of hints, from a nudge to a
near-answer; each call reveals one more rung and records it in .ailab/progress.json.
Without a check id: the first check that did not pass in your last run.

In a student copy, hidden checks run only when your work is graded, so their hints come
back with your grade: give the graded results file your instructor returned (a grade
run's results/<you>.json) with --graded once; it is kept in .ailab/graded/, and from then
on a hidden check's hint is the one your grade carries.

Options:
  --graded FILE  import graded results; without a check id, start with the first check
                 that did not pass when graded
  -h, --help     show this help

Examples:
  npm run lab -- hint lab-00
  npm run lab -- hint lab-00 topk-ties
  npm run lab -- hint lab-04 --graded ~/Downloads/alice.json`;

/** `ailab hint <lab> [check]`: the next rung of a check's hint ladder. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { help: { type: 'boolean', short: 'h' }, graded: { type: 'string' } }, USAGE);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0 || positionals.length > 2) throw new UsageError(positionals.length === 0 ? 'Name the lab you want a hint for.' : 'Give a lab and at most one check id.', 'Example: npm run lab -- hint lab-00 topk-ties');
  const root = courseRoot();
  const lab = resolveLab(positionals[0], root);
  const progress = readProgress(root);
  const graded = values.graded ? importGraded(root, lab, values.graded) : readGraded(root, lab.manifest.id);
  const failedWhenGraded = values.graded && !positionals[1] ? lab.checks.find((c) => graded?.checks.some((g) => g.id === c.id && g.status !== 'pass')) : undefined;
  const { check: named, why } = failedWhenGraded ? { check: failedWhenGraded, why: 'the first check that did not pass when graded' } : pickHintCheck(lab, progress, positionals[1]);
  // A student copy's hidden check has only neutral text: its hint is the one the grade came back with.
  const gradedOnly = named.visibility === 'hidden' && isStudentCopy(root);
  const fromGrade = gradedOnly ? graded?.checks.find((g) => g.id === named.id) : undefined;
  if (gradedOnly && !fromGrade?.hint) {
    const c = colors();
    const said = !graded
      ? `Its hints come back with your grade: when your instructor returns your graded results file, run \`npm run lab -- hint ${lab.manifest.id} ${named.id} --graded FILE\`.`
      : fromGrade?.status === 'pass'
        ? `It passed when your work was graded (${graded.finishedAt.slice(0, 10)}), so there is no hint to give.`
        : `Your graded results (${graded.finishedAt.slice(0, 10)}) carry no hint for it.`;
    process.stdout.write(`${c.bold(lab.manifest.id)}  ${named.id}${c.dim(' (hidden check)')}\n${why ? `${c.dim(`(${why})`)}\n` : ''}${HIDDEN_HINT}\n\n${said}\n`);
    return EXIT.ok;
  }
  const check = fromGrade?.hint ? { ...named, hint: fromGrade.hint, test: fromGrade.test } : named;
  const step = revealNext(progress, lab, check);
  if (step.revealed) writeProgress(root, progress); // before printing: an unrecorded hint would repeat forever
  const c = colors();
  const ladder = hintLadder(check);
  const title = check.test.split(' > ').at(-1) ?? check.test;
  const out = [`${c.bold(lab.manifest.id)}  ${check.id}: ${title}${check.visibility === 'hidden' ? c.dim(' (hidden check)') : ''}`];
  if (why) out.push(c.dim(`(${why})`));
  if (fromGrade) out.push(c.dim(`(from your graded results of ${graded!.finishedAt.slice(0, 10)}: ${fromGrade.message?.split('\n')[0] ?? fromGrade.status})`));
  for (let i = 0; i < step.shown; i++) out.push(`${c.cyan(`hint ${i + 1}/${step.total}:`)} ${ladder[i]}`);
  out.push('');
  if (step.revealed && step.shown < step.total) out.push(`Run \`npm run lab -- hint ${lab.manifest.id} ${check.id}\` again for the next hint.`);
  else if (step.total === 1) out.push(`That is the only hint for ${check.id}. See ${docsLocation(lab, root, check.docs)} for more.`);
  else out.push(`${step.revealed ? 'That was the last hint' : 'No more hints'} for ${check.id}: you have seen all ${step.total}. See ${docsLocation(lab, root, check.docs)}.`);
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
