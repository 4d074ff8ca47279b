import { relative, sep } from 'node:path';
import { watch } from 'chokidar';
import picomatch from 'picomatch';
import { parseOptions, type CommandContext } from '../cli.ts';
import { AilabError, EXIT, InterruptedError, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { resolveLab } from '../lab/resolve.ts';
import { saveRun } from '../progress/record.ts';
import { TypeChecker } from '../results/types.ts';
import { runChecks } from '../run/run-checks.ts';
import { openSandbox, parseSandboxChoice } from '../sandbox/select.ts';
import { colors } from '../ui/colors.ts';
import { progress } from '../ui/progress.ts';
import { createRunLoop } from '../watch/loop.ts';
import { renderWatchResult } from '../watch/render.ts';
import { pickSubmission, RUN_OPTIONS, limitsOverride } from './options.ts';

const USAGE = 'watch <lab> [options]';

const HELP = `Usage: ailab ${USAGE}

Checks a lab, then checks it again each time you save one of its editable files. A save
during a run cancels the stale run. Each run shows a one-line summary and the first
failing check. Press q (or Ctrl-C) to quit, r to run again now.

Options:
  --sandbox KIND    docker | local | auto (default auto: docker when the daemon answers)
  --timeout S       override the lab's wall-clock limit, in seconds
  --test-timeout S  override the lab's per-check limit, in seconds
  -h, --help        show this help

Examples:
  npm run lab -- watch lab-00
  npm run lab -- watch 2 --sandbox local`;

/** Lab folders that hold no editable file, so the watcher never descends into them. */
const NEVER_WATCHED = new Set(['node_modules', '.ailab', 'solution', 'mutants', 'checks']);

/** How long to wait after the last save before running: editors write files in bursts. */
const DEBOUNCE_MS = 100;

/** `ailab watch <lab>`: re-run the checks on every save, one run at a time. */
export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(argv, RUN_OPTIONS, USAGE);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError('Name one lab to watch.', 'Example: npm run lab -- watch lab-00');
  const root = courseRoot();
  const lab = resolveLab(positionals[0], root);
  const limits = limitsOverride(values);
  const show = progress();
  const sandbox = await openSandbox({ choice: parseSandboxChoice(values.sandbox), root, warm: true, onProgress: show.step });
  const types = new TypeChecker(root);
  show.done();
  const c = colors();
  const tty = Boolean(process.stdout.isTTY);
  const screen = (text: string) => process.stdout.write(tty ? `\u001b[2J\u001b[3J\u001b[H${text}` : `\n${'─'.repeat(60)}\n${text}`);
  const footer = c.dim(`\nwatching ${lab.manifest.files.join(', ')} in labs/${lab.name} · ${sandbox.kind} sandbox${sandbox.kind === 'local' ? ' (NOT isolated)' : ''} · q quits, r re-runs`);
  const editable = picomatch(lab.manifest.files, { dot: false });

  return await new Promise<number>((resolve, reject) => {
    const loop = createRunLoop({
      debounceMs: DEBOUNCE_MS,
      onError: (error) => finish(() => reject(error)),
      run: async (signal) => {
        screen(`${c.bold(lab.manifest.id)}  running ${lab.checks.length} checks…\n${footer}\n`);
        let submission;
        try {
          submission = pickSubmission(lab, {}, root);
        } catch (error) {
          if (!(error instanceof AilabError)) throw error;
          screen(`${c.red('✗')} ${c.bold(lab.manifest.id)}  cannot run the checks yet\n\n${error.message}\n${error.hint ? `${c.cyan('next:')} ${error.hint}\n` : ''}${footer}\n`);
          return;
        }
        const results = await runChecks({ lab, root, files: submission.files, source: submission.source, sha256: submission.sha256, sandbox, limits, signal: AbortSignal.any([signal, ctx.signal]), typecheck: types });
        if (signal.aborted) return;
        const warnings: string[] = [];
        saveRun(root, results, (w) => warnings.push(`${c.yellow('warning:')} ${w}\n`)); // shown on the screen, which a clear would wipe from stderr
        screen(`${renderWatchResult(results, c, new Date(), tty ? process.stdout.columns : undefined)}${warnings.join('')}${footer}\n`);
      },
    });
    // chokidar, not fs.watch: an editor's atomic save (a temp file renamed over the original)
    // replaces the file's inode, and a raw recursive fs.watch stopped seeing saves after one.
    const rel = (path: string) => relative(lab.dir, path).split(sep).join('/');
    const watcher = watch(lab.dir, {
      ignoreInitial: true,
      atomic: true,
      ignored: (path, stats) => {
        const at = rel(path);
        if (!at || at.startsWith('..')) return false;
        if (NEVER_WATCHED.has(at.split('/')[0])) return true;
        return Boolean(stats?.isFile()) && !editable(at);
      },
    });
    watcher.on('all', (_event, path) => {
      if (editable(rel(path))) loop.trigger();
    });
    watcher.on('error', (error) => finish(() => reject(error)));
    const onKey = (data: Buffer) => {
      const text = data.toString();
      if (text.includes('\u0003')) finish(() => reject(new InterruptedError()));
      else if (/q/i.test(text)) finish(() => resolve(EXIT.ok));
      else if (/r|\r|\n/i.test(text)) loop.trigger();
    };
    const onAbort = () => finish(() => reject(ctx.signal.reason ?? new InterruptedError()));
    let finished = false;
    function finish(settle: () => void): void {
      if (finished) return;
      finished = true;
      void watcher.close();
      ctx.signal.removeEventListener('abort', onAbort);
      process.stdin.off('data', onKey);
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.stdin.pause();
      (process.stdin as { unref?: () => void }).unref?.(); // an open pipe must not keep the process alive
      const release = () => {
        types.close();
        return sandbox.close?.();
      };
      void loop
        .stop()
        .then(release, release)
        .then(settle, settle);
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    if (process.stdin.isTTY) process.stdin.setRawMode(true);
    process.stdin.on('data', onKey);
    process.stdin.resume();
    loop.runNow();
  });
}
