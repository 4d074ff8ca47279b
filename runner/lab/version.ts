import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import { globSync } from 'tinyglobby';
import type { Lab } from './load.ts';

const cache = new Map<string, string>();

/**
 * A short content hash of everything that decides a grade: lab.yaml, tests, checks, the
 * course's non-editable files and fixtures. Resumed grading reuses a result only when it matches.
 */
export function labVersion(lab: Lab, root: string): string {
  const hit = cache.get(lab.dir);
  if (hit) return hit;
  const editable = picomatch(lab.manifest.files);
  const h = createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      const rel = relative(lab.dir, path).split('\\').join('/');
      if (e.isDirectory()) {
        if (!['solution', 'mutants', 'node_modules', '.ailab'].includes(rel)) walk(path);
      } else if (!editable(rel)) files.push(path);
    }
  };
  walk(lab.dir);
  for (const f of globSync(lab.manifest.fixtures, { cwd: root, onlyFiles: true })) files.push(join(root, f));
  for (const f of files.sort()) h.update(`${relative(root, f)}\0`).update(readFileSync(f));
  const version = `${lab.manifest.format}-${h.digest('hex').slice(0, 12)}`;
  cache.set(lab.dir, version);
  return version;
}
