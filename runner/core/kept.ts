// Files the precompiled runner keeps for itself in its own folder (runner/.dist/<key>/): what one
// runner version needs to make only once. A new runner (any source changed) has a new folder, so
// nothing an older one made is ever read. Run from source, nothing is kept.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import { bundleDir } from './paths.ts';

/** A kept file's read and write; both fail quietly (a read-only checkout makes it again each time). */
export interface KeptFile {
  /** Its text, or undefined when it isn't there or can't be read. */
  read(): string | undefined;
  /** Writes it whole (atomically), or not at all. */
  keep(text: string): void;
}

/**
 * The kept file `folder/name()` of the running bundle, or undefined when running from source;
 * `name` is called only then, so a costly key (a digest) is never computed for nothing.
 */
export function keptFile(folder: string, name: () => string): KeptFile | undefined {
  const dir = bundleDir();
  if (!dir) return undefined;
  const file = join(dir, folder, name());
  return {
    read: () => {
      try {
        return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
      } catch {
        return undefined;
      }
    },
    keep: (text) => {
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileAtomic(file, text);
      } catch {
        // a read-only checkout: made again next time
      }
    },
  };
}
