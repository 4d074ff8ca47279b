// Node flags for the test workers, the processes where learner code runs. vitest's main process
// (which holds the result channel's nonce) runs without them; the workers get Node's permission
// model on top of the container: no child processes, worker threads, native addons, WASI or
// inspector, file reads only from the run tree, node_modules and the temp folder (so never
// /proc/<pid>/mem or /proc/<pid>/fd of the main process), and file writes only to a scratch
// folder of their own (so never to the transformed modules vitest hands its workers in /tmp).
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';

/** The folder that holds vitest, resolved through any symlink. */
function nodeModulesDir(runRoot) {
  const vitestPkg = createRequire(join(runRoot, 'package.json')).resolve('vitest/package.json');
  return realpathSync(dirname(dirname(vitestPkg)));
}

/** True when `inner` is `outer` or lies inside it. */
function within(inner, outer) {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

/** A folder the workers may write: inside the run tree when it is writable (local runs, removed
 * with it), else a fresh folder in the container's private /tmp. */
function scratchDir(runRoot, tmp) {
  try {
    const dir = join(runRoot, '.scratch');
    mkdirSync(dir);
    return realpathSync(dir);
  } catch {
    return mkdtempSync(join(tmp, 'ailab-scratch-'));
  }
}

/** The worker's execArgv and env for a run tree rooted at `runRoot`. */
export function workerLockdown(runRoot) {
  const tmp = realpathSync(tmpdir());
  const scratch = scratchDir(runRoot, tmp);
  // Node 20's permission tree misbehaves when one allowed path contains another: keep them disjoint.
  const reads = [];
  for (const path of [tmp, realpathSync(runRoot), nodeModulesDir(runRoot)]) {
    if (!reads.some((p) => within(path, p))) reads.push(path);
  }
  return {
    execArgv: ['--experimental-permission', ...reads.map((p) => `--allow-fs-read=${p}`), `--allow-fs-write=${scratch}`, '--no-warnings=ExperimentalWarning'],
    env: { TMPDIR: scratch, TMP: scratch, TEMP: scratch },
  };
}
