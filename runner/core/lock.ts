import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** Filesystems without hard links (FAT, some network mounts) answer link(2) with one of these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs one file operation on the lock; lets a caller turn errno failures into its own typed errors. */
export type LockIo = <T>(op: () => T) => T;

/** A held lock, or the pid of the live process that holds it. */
export type LockAttempt = { release(): void } | { holder: number };

/** The lock's content, or undefined when there is no lock. */
function readLock(lock: string): string | undefined {
  try {
    return readFileSync(lock, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** True when a process with this pid runs (EPERM: it runs as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates `lock` holding `content` only if no lock exists; false when one does. */
function create(lock: string, staged: string, content: string): boolean {
  try {
    linkSync(staged, lock); // atomic, and the lock is never seen empty
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_LINKS.has(code)) throw error;
  }
  try {
    writeFileSync(lock, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Tries once to take the lock file `lock` (its folder must exist). A lock whose process is gone is
 * taken over race-free: it is renamed aside first (only one process can move a given file),
 * checked to be the stale one, and the lock is then created with link(2), which exactly one
 * contender wins. Returns the release function, or the pid of the live process holding the lock.
 */
export function tryLock(lock: string, io: LockIo = (op) => op()): LockAttempt {
  const content = `${process.pid}\n${randomUUID()}\n`;
  const staged = `${lock}.${process.pid}-${randomUUID().slice(0, 8)}`;
  try {
    io(() => writeFileSync(staged, content));
    for (let tries = 0; tries < 20; tries++) {
      if (io(() => create(lock, staged, content))) return { release: () => release(lock, content) };
      const seen = readLock(lock);
      if (seen === undefined) continue; // released meanwhile
      const pid = Number(seen.split('\n')[0]);
      if (!Number.isInteger(pid) || pid <= 0) {
        // A lock without a pid is being written by a process that cannot link; give it a moment.
        if (tries < 10) {
          sleepSync(20);
          continue;
        }
      } else if (pid !== process.pid && alive(pid)) return { holder: pid };
      // Stale: move it aside under a name only this process uses, then check that it was the stale one.
      const aside = `${lock}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
      try {
        io(() => renameSync(lock, aside));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another process moved it first
        throw error;
      }
      if (readLock(aside) !== seen) {
        // Another process took the lock between our read and our rename: give its lock back.
        try {
          linkSync(aside, lock);
        } catch {
          // a third process holds it now; the original holder still runs to completion
        }
      }
      rmSync(aside, { force: true });
    }
    return { holder: Number(readLock(lock)?.split('\n')[0]) || 0 };
  } finally {
    rmSync(staged, { force: true });
  }
}

/**
 * Takes the lock, waiting while a live process holds it: `onWait` hears each new holder's pid
 * once. Polls every `pollMs`; a holder that dies is taken over. Rejects when `signal` aborts.
 */
export async function waitForLock(lock: string, opts: { onWait(pid: number): void; pollMs?: number; signal?: AbortSignal }): Promise<() => void> {
  let told: number | undefined;
  for (;;) {
    if (opts.signal?.aborted) throw opts.signal.reason;
    const attempt = tryLock(lock);
    if ('release' in attempt) return attempt.release;
    if (attempt.holder !== told) opts.onWait(attempt.holder);
    told = attempt.holder;
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 250));
  }
}

/** Removes the lock if it is still this process's. */
function release(lock: string, content: string): void {
  try {
    if (readLock(lock) === content) rmSync(lock, { force: true });
  } catch {
    // a lock we cannot read is not ours to remove
  }
}
