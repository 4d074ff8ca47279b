import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
import { SandboxError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { startDeadline } from './deadline.ts';
import { OutputSink } from './output.ts';
import { killTagged, RUN_TAG } from './strays.ts';
import type { Outcome, RunSpec, Sandbox } from './types.ts';

/** Kills a whole process group; vitest's workers die with their parent. */
function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The user the learner's code runs as, from AILAB_LEARNER_UID: the export bundles set it, since on
 * a grading platform ailab runs as root in a container of its own. Then the run tree's modes keep
 * the checks and fixtures from the learner's code, as in Docker. Only root can start a process as
 * another user, so anyone else setting it is a broken setup, never the learner's fault.
 */
export function learnerUid(): number | undefined {
  const value = process.env.AILAB_LEARNER_UID;
  if (value === undefined || value === '') return undefined;
  const uid = Number(value);
  if (!Number.isInteger(uid) || uid <= 0) throw new SandboxError('E_SANDBOX', `AILAB_LEARNER_UID must be a user id above 0, not "${value}".`, 'Unset it, or set it to an unprivileged user id such as 65534.');
  if (process.getuid?.() !== 0) throw new SandboxError('E_SANDBOX', `AILAB_LEARNER_UID=${value} needs ailab to run as root, which can start the learner's code as that user; it runs as uid ${process.getuid?.()}.`, 'Unset AILAB_LEARNER_UID, or run as root in the grading container.');
  return uid;
}

/** Runs on this machine with execa: same outcome shape and time limit as Docker, but NOT isolated. */
export class LocalSandbox implements Sandbox {
  readonly kind = 'local' as const;

  async run(spec: RunSpec, signal?: AbortSignal): Promise<Outcome> {
    const started = Date.now();
    const capBytes = spec.limits.output_kb * 1024;
    const out = new OutputSink(capBytes, spec.interceptStdout);
    const err = new OutputSink(capBytes);
    const nodeModules = join(courseRoot(), 'node_modules');
    const tag = randomBytes(12).toString('hex');
    const uid = learnerUid();
    const child = execa(process.execPath, spec.args({ nodeModules, root: spec.runDir }), {
      cwd: join(spec.runDir, spec.workdir),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...spec.env, [RUN_TAG]: tag, ...(uid ? { AILAB_LEARNER_UID: String(uid) } : {}) },
      extendEnv: false,
      input: spec.stdin,
      buffer: false,
      reject: false,
      detached: true,
      cleanup: true,
    });
    child.stdout?.on('data', (c: Buffer) => out.write(c));
    child.stderr?.on('data', (c: Buffer) => err.write(c));
    const deadline = startDeadline(spec, () => killGroup(child.pid));
    const onAbort = () => killGroup(child.pid);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await child;
      if (signal?.aborted) throw signal.reason;
      return {
        kind: 'local',
        exitCode: result.exitCode ?? null,
        timedOut: deadline.timedOut,
        oomKilled: false,
        durationMs: Date.now() - started,
        stdout: out.text(),
        stderr: err.text(),
      };
    } finally {
      deadline.clear();
      signal?.removeEventListener('abort', onAbort);
      killGroup(child.pid); // reap any detached leftovers in the group
      killTagged(tag); // and those that left the group with a session of their own
    }
  }
}
