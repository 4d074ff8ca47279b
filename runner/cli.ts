#!/usr/bin/env node
// The ailab command line: it only registers commands and handles errors in one place.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AilabError, EXIT, InterruptedError, UsageError } from './core/errors.ts';
import { RUNNER_VERSION } from './core/paths.ts';
import { mark, printTimings } from './core/timings.ts';
import { colors } from './ui/colors.ts';

/** What every command module exports. */
export interface CommandModule {
  /** Runs the command and returns the process exit code. */
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

/** Shared by all commands: the signal that Ctrl-C aborts. */
export interface CommandContext {
  signal: AbortSignal;
}

interface CommandEntry {
  summary: string;
  usage: string;
  load: () => Promise<CommandModule>;
}

/** The registry: one module per command, imported only when used. */
export const COMMANDS: Record<string, CommandEntry> = {
  check: { summary: "Score a lab's checks against your code", usage: 'check <lab> [options]', load: () => import('./commands/check.ts') },
  list: { summary: 'List the labs and what each teaches', usage: 'list', load: () => import('./commands/list.ts') },
  verify: { summary: "Prove a lab's checks are sound (solution, starter, mutants)", usage: 'verify [lab...] [options]', load: () => import('./commands/verify.ts') },
  image: { summary: 'Build, inspect or prune the sandbox image', usage: 'image build|status|prune [options]', load: () => import('./commands/image.ts') },
  doctor: { summary: 'Check this machine: Node, Docker, the image, disk space', usage: 'doctor', load: () => import('./commands/doctor.ts') },
  demo: { summary: "Run a lab's demo (lab-01: answer a question over the corpus)", usage: 'demo <lab> [args]', load: () => import('./commands/demo.ts') },
  hint: { summary: "Show the next hint for a check (a ladder per check)", usage: 'hint <lab> [check]', load: () => import('./commands/hint.ts') },
  status: { summary: 'Your progress in every lab, and what to do next', usage: 'status [--json]', load: () => import('./commands/status.ts') },
  grade: { summary: 'Grade a class of submissions into a gradebook', usage: 'grade <lab> <submissions> --out DIR', load: () => import('./commands/grade.ts') },
  gradebook: { summary: 'Rebuild (or merge) gradebooks from saved results', usage: 'gradebook DIR [DIR...] [--out DIR]', load: () => import('./commands/gradebook.ts') },
  reset: { summary: "Restore a lab's starter files (your work is backed up first)", usage: 'reset <lab> [--yes]', load: () => import('./commands/reset.ts') },
  watch: { summary: 'Re-run the checks each time you save (q quits)', usage: 'watch <lab> [options]', load: () => import('./commands/watch.ts') },
  export: { summary: 'Write a lab\'s autograder for Gradescope or PrairieLearn', usage: 'export gradescope|prairielearn <lab> [options]', load: () => import('./commands/export.ts') },
  release: { summary: 'Write a student copy without hidden checks, solutions or mutants', usage: 'release --out DIR', load: () => import('./commands/release.ts') },
  schema: { summary: 'Print or write the JSON Schema of lab.yaml', usage: 'schema [--write|--check]', load: () => import('./commands/schema.ts') },
};

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** The closest name within two edits, if any. */
export function closest(name: string, names: string[]): string | undefined {
  const best = names.map((n) => [n, distance(name, n)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? best[0] : undefined;
}

/** Parses a command's options strictly, turning parse failures into usage errors. */
export function parseOptions<T extends ParseArgsConfig['options']>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new UsageError(message, `Usage: ailab ${usage}   (add --help for details)`);
  }
}

function mainHelp(): string {
  const c = colors();
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    `${c.bold('ailab')} ${RUNNER_VERSION}: hands-on labs for AI engineers, graded in a sandbox`,
    '',
    'Usage: ailab <command> [options]        (from the repo: npm run lab -- <command> ...)',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`),
    '',
    'Examples:',
    '  npm run check lab-00                 score your warm-up lab',
    '  npm run check lab-00 -- --json       the results object as JSON',
    '  npm run lab -- list                  what each lab teaches',
    '  npm run lab -- doctor                what is missing on this machine',
    '',
    'Run `ailab <command> --help` for a command\'s options.',
  ].join('\n');
}

/** Prints an error with its next step and returns its exit code. */
function report(error: unknown): number {
  const c = colors(process.stderr);
  if (error instanceof InterruptedError) {
    process.stderr.write(`\n${c.yellow('Interrupted.')} Nothing was left running.\n`);
    return error.exitCode;
  }
  if (error instanceof AilabError) {
    process.stderr.write(`${c.red('error:')} ${error.message}\n`);
    if (error.hint) process.stderr.write(`${c.cyan('next:')} ${error.hint}\n`);
    return error.exitCode;
  }
  const err = error as Error;
  process.stderr.write(`${c.red('internal error:')} ${err?.message ?? String(error)}\n`);
  process.stderr.write(`This is a bug in ailab ${RUNNER_VERSION}, not in your code. Please report it with this output:\n${err?.stack ?? ''}\n`);
  return 4;
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new InterruptedError());
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  try {
    if (argv.includes('--timings')) {
      process.env.AILAB_DEBUG = [process.env.AILAB_DEBUG, 'timings'].filter(Boolean).join(',');
      argv = argv.filter((a) => a !== '--timings');
    }
    mark('cli: main');
    const [name, ...rest] = argv;
    if (!name || name === 'help' || name === '--help' || name === '-h') {
      if (name === 'help' && rest[0] && COMMANDS[rest[0]]) return main([rest[0], '--help']);
      process.stdout.write(`${mainHelp()}\n`);
      return name ? EXIT.ok : EXIT.usage;
    }
    if (name === '--version' || name === '-v') {
      process.stdout.write(`${RUNNER_VERSION}\n`);
      return EXIT.ok;
    }
    const entry = COMMANDS[name];
    if (!entry) {
      const guess = closest(name, Object.keys(COMMANDS));
      throw new UsageError(`Unknown command "${name}".${guess ? ` Did you mean "${guess}"?` : ''}`, `Commands: ${Object.keys(COMMANDS).join(', ')}. Run \`ailab --help\`.`);
    }
    const mod = await entry.load();
    mark(`cli: ${name} loaded`);
    return await mod.run(rest, { signal: controller.signal });
  } catch (error) {
    return report(controller.signal.aborted ? controller.signal.reason : error);
  } finally {
    mark('cli: done');
    printTimings();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0');
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
