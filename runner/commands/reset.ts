import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { globSync } from 'tinyglobby';
import { parseOptions, type CommandContext } from '../cli.ts';
import { EXIT, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { resolveLab } from '../lab/resolve.ts';
import { readStarter } from '../progress/starter.ts';
import { fileStamp, writeFailure } from '../progress/store.ts';

const USAGE = 'reset <lab> [--yes]';

const HELP = `Usage: ailab ${USAGE}

Restores a lab's editable files to the starter, after asking. Your current files are first
copied to .ailab/backups/<lab>-<timestamp>/. The starter comes from the git history: the
newest commit that changed the lab's files and is not your own (by your git user.email), so
work you committed is never mistaken for the starter. The course must be a git clone.

Options:
  --yes        do not ask (for scripts; required when stdin is not a terminal)
  -h, --help   show this help

Examples:
  npm run lab -- reset lab-00
  npm run lab -- reset lab-00 --yes`;

/** Asks a yes/no question on the terminal; only "y" or "yes" is a yes. */
async function confirm(question: string, signal: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question, { signal });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** `ailab reset <lab>`: back up the learner's editable files, then restore the starter. */
export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(argv, { yes: { type: 'boolean', short: 'y' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('Name one lab to reset.', 'Example: npm run lab -- reset lab-00');
  const root = courseRoot();
  const lab = resolveLab(positionals[0], root);
  const starter = await readStarter(lab, root);
  const current = globSync(lab.manifest.files, { cwd: lab.dir, dot: false, ignore: ['**/node_modules/**'] }).sort();
  const changed = current.filter((rel) => !starter.get(rel)?.equals(readFileSync(join(lab.dir, rel))));
  const missing = [...starter.keys()].filter((rel) => !current.includes(rel));
  if (changed.length === 0 && missing.length === 0) {
    process.stdout.write(`${lab.manifest.id}'s editable files are already the starter; nothing to reset.\n`);
    return EXIT.ok;
  }
  if (!values.yes) {
    if (!process.stdin.isTTY) throw new UsageError(`reset replaces your work in labs/${lab.name} and needs a confirmation, but stdin is not a terminal.`, `Pass --yes to reset without asking: npm run lab -- reset ${lab.manifest.id} --yes`);
    const ok = await confirm(`Reset ${lab.manifest.id} to its starter? ${changed.length + missing.length} file(s) differ; your current files are backed up first. [y/N] `, ctx.signal);
    if (!ok) {
      process.stdout.write('Nothing was changed.\n');
      return EXIT.ok;
    }
  }
  const backupRel = `.ailab/backups/${lab.name}-${fileStamp()}`;
  try {
    for (const rel of current) {
      mkdirSync(dirname(join(root, backupRel, rel)), { recursive: true });
      copyFileSync(join(lab.dir, rel), join(root, backupRel, rel));
    }
  } catch (error) {
    throw writeFailure(`the backup ${backupRel}`, error);
  }
  try {
    for (const rel of current) if (!starter.has(rel)) rmSync(join(lab.dir, rel));
    for (const [rel, content] of starter) {
      mkdirSync(dirname(join(lab.dir, rel)), { recursive: true });
      writeFileSync(join(lab.dir, rel), content);
    }
  } catch (error) {
    throw writeFailure(`labs/${lab.name} (your files are safe in ${backupRel}/)`, error);
  }
  const lines = [`Reset ${lab.manifest.id} to its starter: ${[...changed, ...missing].join(', ')}.`];
  if (current.length > 0) lines.push(`Your previous files are in ${backupRel}/.`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
