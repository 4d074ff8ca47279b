// solution/ holds only the files a learner edits; the given ones live once, in src/. A lab's own
// scripts (bench.ts, demo.ts) that run the reference import it from this view instead.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The lab's src/ with solution/src/ laid over it, written to the course's
 * .ailab/solution-view/<lab>/src/ (ignored by git; outside labs/, so no release copies it; at the
 * same depth as labs/<lab>/src/, so its imports of packages resolve): a file: URL of that folder,
 * ending in '/'.
 */
export function solutionView(labDir: string): string {
  const view = join(labDir, '..', '..', '.ailab', 'solution-view', basename(labDir), 'src');
  rmSync(view, { recursive: true, force: true });
  mkdirSync(view, { recursive: true });
  cpSync(join(labDir, 'src'), view, { recursive: true });
  cpSync(join(labDir, 'solution', 'src'), view, { recursive: true });
  return `${pathToFileURL(view).href}/`;
}
