import { resolve } from 'node:path';
import { parseOptions } from '../cli.ts';
import { AilabError, EXIT, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { readRoster } from '../grade/discover.ts';
import { writeExports } from '../grade/exports.ts';
import { gradebookRows, mergeResults } from '../grade/gradebook.ts';
import { lockOutput } from '../grade/lock.ts';
import { saveResult } from '../grade/store.ts';
import { summarize } from '../grade/summary.ts';
import { labVersion } from '../lab/version.ts';
import { resolveLab } from '../lab/resolve.ts';
import { colors } from '../ui/colors.ts';

const USAGE = 'gradebook DIR [DIR...] [--out DIR] [options]';
const HELP = `Usage: ailab ${USAGE}

Rebuilds every export (grades.csv, canvas.csv, moodle.csv, grades.json, junit.xml, report.html, gradescope/, feedback/)
from the results/ of one or more \`grade\` output folders, without running anything. Several
folders are merged: one result per student, all of one lab. The same student with two different
grades is refused, naming both. The merged results are copied into --out's results/, so it is a
complete output folder that \`grade --resume\` and \`gradebook\` can use again.

Options:
  --out DIR                where to write (default: the one DIR; required with several)
  --roster FILE            a CSV of student ids; students without a result get a no-submission row
  --roster-id-column NAME  the roster column that holds the ids (see \`ailab grade --help\`)
  --missing-as-zero        in canvas.csv and moodle.csv, 0 for a student with no submission (default: blank)
  -h, --help               show this help

Examples:
  npm run lab -- gradebook ./grades
  npm run lab -- gradebook ./grades-host1 ./grades-host2 --out ./grades`;

/** \`ailab gradebook\`: the exports, rebuilt from saved results. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { out: { type: 'string' }, roster: { type: 'string' }, 'roster-id-column': { type: 'string' }, 'missing-as-zero': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('Name the grade output folder(s) to rebuild the gradebook from.', `Usage: ailab ${USAGE}`);
  if (positionals.length > 1 && !values.out) throw new UsageError('Merging several folders needs --out DIR: where the merged gradebook goes.', `Usage: ailab ${USAGE}`);
  if (values['roster-id-column'] !== undefined && !values.roster) throw new UsageError('--roster-id-column needs --roster FILE.', `Usage: ailab ${USAGE}`);
  const inputs = positionals.map((p) => resolve(p));
  const out = resolve(values.out ?? inputs[0]);
  const roster = values.roster ? readRoster(values.roster, values['roster-id-column']) : undefined;
  const { results, from, unreadable } = mergeResults(inputs);
  if (results.size === 0) throw new AilabError('E_GRADEBOOK', `No results to build a gradebook from in ${inputs.join(', ')}.`, 'Run `ailab grade <lab> <submissions> --out DIR` first.', EXIT.usage);
  const root = courseRoot();
  const lab = resolveLab([...results.values()][0].lab.id, root);
  const release = lockOutput(out);
  try {
    for (const [student, r] of results) if (from.get(student) !== out) saveResult(out, student, r);
    const rows = gradebookRows(results, roster?.ids);
    writeExports(out, lab, rows, { roster, missingAsZero: values['missing-as-zero'] });
    const c = colors();
    process.stdout.write(summarize(lab, rows));
    const version = labVersion(lab, root);
    const old = [...results].filter(([, r]) => r.lab.version !== version).map(([s]) => s);
    if (old.length > 0) process.stdout.write(`\n${c.yellow('note:')} ${old.length} result(s) were graded under another version of ${lab.manifest.id} (${old.join(', ')}); \`grade --resume\` grades them again.\n`);
    if (unreadable.length > 0) process.stdout.write(`\n${c.yellow('note:')} ${unreadable.length} file(s) could not be read and were left out: ${unreadable.join(', ')}\n`);
    process.stdout.write(`\nRebuilt ${out}/grades.csv, canvas.csv, moodle.csv, grades.json, junit.xml, report.html, gradescope/, feedback/ from ${results.size} result(s) in ${inputs.length} folder(s).\n`);
    return EXIT.ok;
  } finally {
    release();
  }
}
