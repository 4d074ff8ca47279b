import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AilabError, EXIT } from '../core/errors.ts';
import { tryLock } from '../core/lock.ts';
import { guardWrite, outputWriteError } from './output-errors.ts';

/** The lock file's name inside an output folder. */
export const LOCK_FILE = '.ailab-grade.lock';

/** Takes the output folder's lock, refusing when a live grade run holds it; returns the release function. */
export function lockOutput(out: string): () => void {
  guardWrite(out, 'the folder itself', () => mkdirSync(out, { recursive: true }));
  const lock = join(out, LOCK_FILE);
  const attempt = tryLock(lock, (op) => {
    try {
      return op();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // EEXIST/ENOENT are the lock protocol's own answers, not write failures.
      if (code === 'EEXIST' || code === 'ENOENT') throw error;
      throw outputWriteError(out, LOCK_FILE, error);
    }
  });
  if ('release' in attempt) return attempt.release;
  throw new AilabError(
    'E_LOCKED',
    `Another grade run (pid ${attempt.holder}) is writing to ${out}.`,
    `Wait for it to finish, or use another --out folder. If no grade run is writing there, delete ${lock}.`,
    EXIT.usage,
  );
}
