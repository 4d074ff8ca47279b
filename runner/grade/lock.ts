import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AilabError, EXIT } from '../core/errors.ts';
import { guardWrite, outputWriteError } from './output-errors.ts';

/** The lock file's name inside an output folder. */
export const LOCK_FILE = '.ailab-grade.lock';

/** Filesystems without hard links (FAT, some network mounts) answer link(2) with one of these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

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
 * Takes the output folder's lock, refusing when a live process holds it; returns the release
 * function. A lock whose process is gone is taken over race-free: it is renamed aside first (only
 * one run can move a given file), checked to be the stale one, and the lock is then created with
 * link(2), which exactly one contender wins.
 */
export function lockOutput(out: string): () => void {
  guardWrite(out, 'the folder itself', () => mkdirSync(out, { recursive: true }));
  const lock = join(out, LOCK_FILE);
  const content = `${process.pid}\n${randomUUID()}\n`;
  const staged = `${lock}.${process.pid}-${randomUUID().slice(0, 8)}`;
  const refuse = (pid: number) =>
    new AilabError('E_LOCKED', `Another grade run (pid ${pid}) is writing to ${out}.`, `Wait for it to finish, or use another --out folder. If no grade run is writing there, delete ${lock}.`, EXIT.usage);
  try {
    guardWrite(out, LOCK_FILE, () => writeFileSync(staged, content));
    for (let tries = 0; tries < 20; tries++) {
      if (guardWrite(out, LOCK_FILE, () => create(lock, staged, content))) return () => release(lock, content);
      const seen = readLock(lock);
      if (seen === undefined) continue; // released meanwhile
      const pid = Number(seen.split('\n')[0]);
      if (!Number.isInteger(pid) || pid <= 0) {
        // A lock without a pid is being written by a run that cannot link; give it a moment.
        if (tries < 10) {
          sleep(20);
          continue;
        }
      } else if (pid !== process.pid && alive(pid)) throw refuse(pid);
      // Stale: move it aside under a name only this run uses, then check that it was the stale one.
      const aside = `${lock}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
      try {
        renameSync(lock, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // another run moved it first
        throw outputWriteError(out, LOCK_FILE, error);
      }
      if (readLock(aside) !== seen) {
        // Another run took the lock between our read and our rename: give its lock back.
        try {
          linkSync(aside, lock);
        } catch {
          // a third run holds it now; the original holder still runs to completion
        }
      }
      rmSync(aside, { force: true });
    }
    throw refuse(Number(readLock(lock)?.split('\n')[0]) || 0);
  } finally {
    rmSync(staged, { force: true });
  }
}

/** Removes the lock if it is still this run's. */
function release(lock: string, content: string): void {
  try {
    if (readLock(lock) === content) rmSync(lock, { force: true });
  } catch {
    // a lock we cannot read is not ours to remove
  }
}
