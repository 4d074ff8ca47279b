import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** Removes a temp file without letting a second failure hide the first. */
function discard(tmp: string): void {
  try {
    rmSync(tmp, { force: true });
  } catch {
    // the original error is the one worth reporting
  }
}

/** Writes content to a fresh temp file next to `path`, all of it and fsynced; removes the temp file on any failure. */
function writeTemp(path: string, content: string | Buffer): string {
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  try {
    const fd = openSync(tmp, 'w');
    try {
      // write(2) may write less than asked when the disk fills up; the next call then fails with ENOSPC.
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return tmp;
  } catch (error) {
    discard(tmp);
    throw error;
  }
}

/** Writes a file so readers see either the old content or the new, never half of it, and no temp file is left on failure (ENOSPC, EDQUOT, EIO). */
export function writeFileAtomic(path: string, content: string | Buffer): void {
  const tmp = writeTemp(path, content);
  try {
    renameSync(tmp, path);
  } catch (error) {
    discard(tmp);
    throw error;
  }
}

/**
 * Writes several files as one change: every file is written to a temp file first, and only when
 * all of them are complete are they renamed into place. A failure (a full disk) removes the temp
 * files and leaves every target as it was.
 */
export function writeFilesAtomic(files: readonly (readonly [path: string, content: string | Buffer])[]): void {
  const staged: [tmp: string, path: string][] = [];
  try {
    for (const [path, content] of files) staged.push([writeTemp(path, content), path]);
  } catch (error) {
    for (const [tmp] of staged) discard(tmp);
    throw error;
  }
  let i = 0;
  try {
    for (; i < staged.length; i++) renameSync(staged[i][0], staged[i][1]);
  } catch (error) {
    for (const [tmp] of staged.slice(i)) discard(tmp);
    throw error;
  }
}
