import { readdirSync, readFileSync } from 'node:fs';

/** The environment variable that tags every process of one local run, children included. */
export const RUN_TAG = 'AILAB_LOCAL_RUN';

/**
 * Kills what a local run left behind outside its process group: a child spawned with
 * `detached: true` starts its own session, so killing the group misses it, but it inherits the
 * run's environment. Best effort and Linux-only (it reads /proc): code that clears its children's
 * environment escapes it, which is one reason the local sandbox is NOT isolated.
 */
export function killTagged(tag: string): number[] {
  const needle = Buffer.from(`${RUN_TAG}=${tag}\0`);
  const killed: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return killed; // no /proc (macOS)
  }
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`).includes(needle)) continue;
      process.kill(Number(pid), 'SIGKILL');
      killed.push(Number(pid));
    } catch {
      // gone already, or not ours to read
    }
  }
  return killed;
}
