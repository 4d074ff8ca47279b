import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { AilabError } from '../core/errors.ts';
import { runnerDir } from '../core/paths.ts';
import { loadLab } from '../lab/load.ts';
import { runChecks } from '../run/run-checks.ts';
import { DockerSandbox } from '../sandbox/docker.ts';
import { hashFiles } from '../submission/collect.ts';

/** The folder that holds the probe lab (runner/image/probe/lab-99-probe). */
const PROBE_ROOT = join(runnerDir(), 'image', 'probe');

/** What the probe found: the image can run a graded check, or why it cannot. */
export type ProbeResult = { ok: true; durationMs: number } | { ok: false; cause: string };

/**
 * Runs the one-check probe lab in `image`, through the same staging, harness, sandbox and results
 * channel as a real check: node must start, vitest and the harness must load, and both the
 * public test and the hidden check must pass.
 */
export async function probeImage(docker: Docker, image: string): Promise<ProbeResult> {
  const lab = loadLab(join(PROBE_ROOT, 'lab-99-probe'), PROBE_ROOT);
  const files = new Map([['src/probe.ts', readFileSync(join(lab.dir, 'src/probe.ts'))]]);
  const started = Date.now();
  try {
    const results = await runChecks({ lab, root: PROBE_ROOT, files, source: 'the image probe', sha256: hashFiles(files), sandbox: new DockerSandbox(docker, image) });
    const bad = results.checks.find((c) => c.status !== 'pass');
    if (!bad) return { ok: true, durationMs: Date.now() - started };
    const tail = results.output.trim().split('\n').slice(-8).join('\n');
    return { ok: false, cause: `its check "${bad.test}" is ${bad.status}: ${bad.message ?? ''}${tail ? `\n${tail}` : ''}` };
  } catch (error) {
    if (error instanceof AilabError) return { ok: false, cause: error.message };
    throw error;
  }
}
