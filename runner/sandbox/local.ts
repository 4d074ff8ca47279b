import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { execa } from 'execa';
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
    const child = execa(process.execPath, spec.args({ nodeModules, root: spec.runDir }), {
      cwd: join(spec.runDir, spec.workdir),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...spec.env, [RUN_TAG]: tag },
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
