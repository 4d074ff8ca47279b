import type { Lab } from '../lab/load.ts';
import type { LabLimits } from '../lab/schema.ts';
import type { Outcome } from '../sandbox/types.ts';
import type { FrameError, FrameLog } from './frames.ts';
import { describeError, stripAnsi } from './messages.ts';
import { notCompiledMessage } from './compile.ts';
import type { CheckResult, CheckStatus, CompileError } from './schema.ts';

/** Per-check results plus run-level problems, derived from frames and the sandbox outcome. */
export interface Scored {
  checks: CheckResult[];
  problems: string[];
  ranTests: number;
  /** The checks that hit the per-check limit (their test, or their file's loading of learner code), with the test file that holds each. */
  limited: { id: string; file: string }[];
}

/** The marker because() puts in a failure message: which hint_when entry explains it. */
const HINT_KEY = / ?\[hint: ([a-z0-9]+(?:-[a-z0-9]+)*)\]/;
const HINT_KEY_ALL = new RegExp(HINT_KEY.source, 'g');

/** The first hint rung, or the hint itself. */
function firstHint(hint: string | string[]): string {
  return Array.isArray(hint) ? hint[0] : hint;
}

/** Why a check has no result, from what the sandbox tells us. */
function explainMissing(lab: Lab, outcome: Outcome, ended: boolean, overrides: Partial<LabLimits> = {}, unhandled?: FrameError): { status: CheckStatus; message: string } {
  const limits = lab.manifest.limits;
  if (outcome.timedOut) {
    const which = overrides.timeout_s !== undefined ? `the time limit of ${limits.timeout_s} s set by --timeout ${overrides.timeout_s} on the command line` : `the lab's time limit of ${limits.timeout_s} s (limits.timeout_s)`;
    return {
      status: 'timeout',
      message: `The whole run hit ${which} before this check finished. A check that ran before it probably never returns: look for an infinite loop or a promise that never settles.`,
    };
  }
  if (outcome.oomKilled) {
    return { status: 'error', message: `The sandbox ran out of memory (limits.memory_mb = ${limits.memory_mb} MB) before this check finished. Look for unbounded arrays or recursion.` };
  }
  if (!ended) {
    return {
      status: 'missing',
      message: `The test process ended (exit code ${outcome.exitCode ?? 'unknown'}) before this check reported a result. Does your code call process.exit() or kill a process?`,
    };
  }
  if (unhandled) {
    // The run ended, but the worker running this check's file did not: it was killed or exited.
    const why = describeError(unhandled).split('\n')[0].replace(/^\[[\w-]+\]:\s*/, '').replace(/\.+$/, '');
    return { status: 'error', message: `The test worker stopped before this check reported a result (${why}). Does your code kill a process or call process.exit()?` };
  }
  return { status: 'missing', message: 'This check produced no result: its test did not run.' };
}

/** Maps the reported tests onto the manifest's checks. A check with no result never passes. */
export function scoreChecks(lab: Lab, log: FrameLog, outcome: Outcome, opts: { released?: boolean; compile?: CompileError[]; overrides?: Partial<LabLimits>; fileOf?: (test: string) => string | undefined } = {}): Scored {
  const tests = new Map<string, Extract<FrameLog['frames'][number], { type: 'test' }>>();
  const moduleErrors: Extract<FrameLog['frames'][number], { type: 'module' }>[] = [];
  let ended = false;
  let unhandled: FrameError | undefined;
  for (const frame of log.frames) {
    if (frame.type === 'test') tests.set(frame.name, frame);
    else if (frame.type === 'module') moduleErrors.push(frame);
    else if (frame.type === 'end') {
      ended = true;
      unhandled = frame.unhandledErrors[0];
    }
  }
  const known = new Set(lab.checks.map((c) => c.test));
  const problems = [...tests.keys()].filter((name) => !known.has(name)).map((name) => `authoring error: the test "${name}" (${tests.get(name)!.file}) is not mapped by any check in lab.yaml`);
  if (log.forged > 0) problems.push(`ignored ${log.forged} line(s) of output that imitated the runner's result frames`);

  const limited: Scored['limited'] = [];
  const checks = lab.checks.map((check): CheckResult => {
    const base = {
      id: check.id,
      task: check.task,
      title: check.test.split(' > ').at(-1) ?? check.test,
      test: check.test,
      maxPoints: check.points,
      visibility: check.visibility,
      docs: check.docs,
    };
    const frame = tests.get(check.test);
    let status: CheckStatus;
    let message: string | undefined;
    let noHint = false;
    if (opts.released && check.visibility === 'hidden') {
      // A student release has no hidden checks on disk: they run when the work is graded.
      return { ...base, status: 'skipped', points: 0, message: 'A hidden check: it runs when your work is graded.', hint: undefined, file: undefined, durationMs: 0 };
    }
    if (frame?.state === 'passed') {
      status = 'pass';
    } else if (frame?.state === 'failed') {
      const first = frame.errors[0];
      const limit = /Test timed out in (\d+)ms/.exec(first?.message ?? '');
      status = limit ? 'timeout' : 'fail';
      if (limit) limited.push({ id: check.id, file: frame.file });
      message = limit
        ? `This check took longer than the per-test limit of ${Number(limit[1]) / 1000} s (${opts.overrides?.test_timeout_s !== undefined ? 'set by --test-timeout on the command line' : 'limits.test_timeout_s'}). Look for a loop that never ends or a promise that never settles.`
        : describeError(first);
    } else if (frame) {
      status = 'fail';
      message = `The test was ${frame.state}, so it cannot count as passed.`;
    } else {
      // The file that failed to load and holds this check (by its title), else one of its folder.
      const dir = check.visibility === 'public' ? 'tests/' : 'checks/';
      const own = opts.fileOf?.(check.test);
      const broken = (own && moduleErrors.find((m) => m.file === own)) || moduleErrors.find((m) => m.file.startsWith(dir)) || moduleErrors[0];
      if (broken && !outcome.timedOut && opts.compile?.length) {
        // The submission does not compile: one block says where (renderCompileErrors); no hint for a check that never ran.
        status = 'error';
        message = notCompiledMessage(opts.compile);
        noHint = true;
      } else if (broken && !outcome.timedOut) {
        // Loading the learner's module has the per-check limit too (boundary/learner.ts).
        const late = broken.errors[0]?.name === 'LearnerTimeoutError';
        status = late ? 'timeout' : 'error';
        if (late) limited.push({ id: check.id, file: broken.file });
        // The same words for every check it stopped (so a report can say the cause once), and no
        // path: a hidden check's file is not the learner's to see.
        message = `Its test file could not run, so none of its checks did:\n${describeError(broken.errors[0])}`;
      } else {
        ({ status, message } = explainMissing(lab, outcome, ended, opts.overrides, unhandled));
      }
    }
    // A failure may name the way it failed ("[hint: pvalue]", from because()): that hint, then, not the ladder's first.
    const keyed = message ? HINT_KEY.exec(message) : null;
    if (keyed) {
      message = message!.replace(HINT_KEY_ALL, '');
      if (!check.hint_when?.[keyed[1]]) problems.push(`authoring error: check ${check.id} failed with hint key "${keyed[1]}", which its hint_when in lab.yaml does not have`);
    }
    const hint = keyed && check.hint_when?.[keyed[1]] ? check.hint_when[keyed[1]] : firstHint(check.hint);
    return {
      ...base,
      status,
      points: status === 'pass' ? check.points : 0,
      message: message ? stripAnsi(message) : undefined,
      hint: status === 'pass' || noHint ? undefined : hint,
      file: frame?.file,
      durationMs: frame?.durationMs ?? 0,
    };
  });
  return { checks, problems, ranTests: tests.size, limited };
}
