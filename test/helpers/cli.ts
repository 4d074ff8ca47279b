import { join } from 'node:path';
import { execa } from 'execa';

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the real `ailab` bin as a user would, never throwing on a non-zero exit. */
export function ailab(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}) {
  return execa(process.execPath, [join(ROOT, 'runner/bin/ailab.mjs'), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { NO_COLOR: '1', CI: 'true', ...opts.env },
    reject: false,
    timeout: opts.timeoutMs ?? 350_000, // vitest.config.ts gives an e2e test 360 s
  });
}
