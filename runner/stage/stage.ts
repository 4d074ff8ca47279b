import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { globSync } from 'tinyglobby';
import { harnessDir } from '../core/paths.ts';
import type { Lab } from '../lab/load.ts';

/** Lab folder parts that never go into a run tree. */
const NEVER_STAGED = new Set(['solution', 'mutants', 'node_modules', '.ailab']);

/** A prepared run tree on disk; remove it with cleanup(). */
export interface RunTree {
  dir: string;
  labPath: string;
  cleanup(): void;
}

/** Makes every file readable and every folder enterable by the sandbox's non-root user. */
function openUp(path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      chmodSync(child, 0o755);
      openUp(child);
    } else chmodSync(child, 0o644);
  }
}

/**
 * Builds a clean run tree that mirrors the repository: the lab's course files, the submission's
 * editable files laid over them, the fixtures the lab lists, and the runner's own harness.
 */
export function stageRun(lab: Lab, root: string, files: Map<string, Buffer>, opts: { linkNodeModules: boolean }): RunTree {
  const dir = mkdtempSync(join(tmpdir(), 'ailab-run-'));
  try {
    const labPath = `labs/${lab.name}`;
    const dest = join(dir, labPath);
    const editable = picomatch(lab.manifest.files, { dot: false });
    cpSync(lab.dir, dest, {
      recursive: true,
      filter: (src) => {
        const rel = src.slice(lab.dir.length + 1).split('\\').join('/');
        if (!rel) return true;
        if (NEVER_STAGED.has(rel.split('/')[0])) return false;
        return !editable(rel); // course copies of editable files are replaced by the submission's
      },
    });
    for (const [rel, content] of files) {
      const target = join(dest, rel);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    for (const fixture of globSync(lab.manifest.fixtures, { cwd: root, onlyFiles: true, dot: false })) {
      const target = join(dir, fixture);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(root, fixture), target);
    }
    mkdirSync(join(dir, '.ailab'));
    cpSync(harnessDir(), join(dir, '.ailab'), { recursive: true });
    openUp(dir);
    chmodSync(dir, 0o755);
    if (opts.linkNodeModules && existsSync(join(root, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    return { dir, labPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
