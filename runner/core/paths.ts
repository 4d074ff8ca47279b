import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The course root: the folder holding labs/, runner/ and package.json. */
export function courseRoot(): string {
  if (process.env.AILAB_ROOT) return resolve(process.env.AILAB_ROOT);
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'labs'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** The runner's own version, from package.json. */
export const RUNNER_VERSION = '0.1.0';

/** Files the runner copies into every run tree (vitest config and results reporter). */
export function harnessDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'harness');
}

/** The RPC layer, copied into every run tree for the checks' side of the boundary. */
export function rpcDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'rpc');
}

/** The process boundary (runner/boundary), copied into every run tree. */
export function boundaryDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'boundary');
}
