import { parseOptions } from '../cli.ts';
import { EXIT, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { docsLocation } from '../lab/docs.ts';
import { resolveLab } from '../lab/resolve.ts';
import { hintLadder, pickHintCheck, revealNext } from '../progress/hints.ts';
import { readProgress, writeProgress } from '../progress/store.ts';
import { colors } from '../ui/colors.ts';

const USAGE = 'hint <lab> [check]';

const HELP = `Usage: ailab ${USAGE}

Shows the next hint for a check. Each check has a ladder of hints, from a nudge to a
near-answer; each call reveals one more rung and records it in .ailab/progress.json.
Without a check id: the first check that did not pass in your last run.

Options:
  -h, --help   show this help

Examples:
  npm run lab -- hint lab-00
  npm run lab -- hint lab-00 topk-ties`;

/** `ailab hint <lab> [check]`: the next rung of a check's hint ladder. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0 || positionals.length > 2) throw new UsageError(positionals.length === 0 ? 'Name the lab you want a hint for.' : 'Give a lab and at most one check id.', 'Example: npm run lab -- hint lab-00 topk-ties');
  const root = courseRoot();
  const lab = resolveLab(positionals[0], root);
  const progress = readProgress(root);
  const { check, why } = pickHintCheck(lab, progress, positionals[1]);
  const step = revealNext(progress, lab, check);
  if (step.revealed) writeProgress(root, progress); // before printing: an unrecorded hint would repeat forever
  const c = colors();
  const ladder = hintLadder(check);
  const title = check.test.split(' > ').at(-1) ?? check.test;
  const out = [`${c.bold(lab.manifest.id)}  ${check.id}: ${title}${check.visibility === 'hidden' ? c.dim(' (hidden check)') : ''}`];
  if (why) out.push(c.dim(`(${why})`));
  for (let i = 0; i < step.shown; i++) out.push(`${c.cyan(`hint ${i + 1}/${step.total}:`)} ${ladder[i]}`);
  out.push('');
  if (step.revealed && step.shown < step.total) out.push(`Run \`npm run lab -- hint ${lab.manifest.id} ${check.id}\` again for the next hint.`);
  else if (step.total === 1) out.push(`That is the only hint for ${check.id}. See ${docsLocation(lab, root, check.docs)} for more.`);
  else out.push(`${step.revealed ? 'That was the last hint' : 'No more hints'} for ${check.id}: you have seen all ${step.total}. See ${docsLocation(lab, root, check.docs)}.`);
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
