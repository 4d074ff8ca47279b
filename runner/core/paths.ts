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

/**
 * The runner's source folder (runner/), from this module's place: runner/core/ when run from
 * source, runner/.dist/<key>/ when run from the bundle (runner/bin/bundle.mjs).
 */
export function runnerDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'cli.ts'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`runner/cli.ts not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** The precompiled runner's folder (runner/.dist/<key>/) when running from it; undefined from source. */
export function bundleDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return /[\\/]\.dist[\\/][0-9a-f]+$/.test(here) ? here : undefined;
}

/** Files the runner copies into every run tree (vitest config and results reporter). */
export function harnessDir(): string {
  return join(runnerDir(), 'harness');
}

/** The process boundary (runner/boundary), bundled into every run tree (boundary/build.ts). */
export function boundaryDir(): string {
  return join(runnerDir(), 'boundary');
}
