// solution/ holds only the files a learner edits; the given ones live once, in src/. A lab's own
// scripts (bench.ts, demo.ts) that run the reference import it from this view instead.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The lab's src/ with solution/src/ laid over it, written to the lab's .ailab/solution/src/
 * (ignored by git; inside the lab, so its imports of packages resolve): a file: URL of that
 * folder, ending in '/'.
 */
export function solutionView(labDir: string): string {
  const view = join(labDir, '.ailab', 'solution', 'src');
  rmSync(view, { recursive: true, force: true });
  mkdirSync(view, { recursive: true });
  cpSync(join(labDir, 'src'), view, { recursive: true });
  cpSync(join(labDir, 'solution', 'src'), view, { recursive: true });
  return `${pathToFileURL(view).href}/`;
}
