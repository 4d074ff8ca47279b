import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { globSync } from 'tinyglobby';
import type { LearnerPolicy } from '../boundary/policy.ts';
import { checksBundle } from '../boundary/build.ts';
import { harnessDir } from '../core/paths.ts';
import type { Lab } from '../lab/load.ts';

/** Lab folder parts that never go into a run tree. */
const NEVER_STAGED = new Set(['solution', 'mutants', 'node_modules', '.ailab']);

/** Lab folder parts only the checks' side reads: the learner process never sees them. */
const CHECKS_ONLY = new Set(['checks', 'tests', 'lab.yaml']);

/** The checks' side of the boundary in a run tree (setup.mjs imports it by this path too). */
const CHECKS_BOUNDARY = '.ailab/boundary/learner.mjs';

/** A prepared run tree on disk; remove it with cleanup(). */
export interface RunTree {
  dir: string;
  labPath: string;
  /** What the learner process may read and import. */
  policy: LearnerPolicy;
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

/** Closes a file or folder (recursively) to everyone but its owner: the checks' side only. */
function closeUp(path: string): void {
  if (!existsSync(path)) return;
  const entry = lstatSync(path);
  if (entry.isSymbolicLink()) return;
  if (entry.isDirectory()) {
    for (const name of readdirSync(path)) closeUp(join(path, name));
    chmodSync(path, 0o700);
  } else chmodSync(path, 0o600);
}

/**
 * Builds a clean run tree that mirrors the repository: the lab's course files, the submission's
 * editable files laid over them, the fixtures the lab lists, and the runner's own harness. It goes
 * in a new folder in the system's temp folder.
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
    mkdirSync(join(dir, '.ailab', 'boundary'));
    writeFileSync(join(dir, CHECKS_BOUNDARY), checksBundle());
    // The checks import the boundary as #ailab/learner, as they do in the repository.
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, type: 'module', imports: { '#ailab/learner': `./${CHECKS_BOUNDARY}`, '#ailab/checks': './.ailab/checks.ts' } }, null, 2)}\n`);
    openUp(dir);
    chmodSync(dir, 0o755);
    // Modes do the separating in Docker (the learner runs as another user): checks, tests, lab.yaml,
    // the harness and every fixture not in public_fixtures are the owner's only.
    const publicFixtures = new Set(globSync(lab.manifest.public_fixtures, { cwd: dir, onlyFiles: true, dot: false }));
    for (const name of CHECKS_ONLY) closeUp(join(dest, name));
    closeUp(join(dir, '.ailab'));
    for (const fixture of globSync(lab.manifest.fixtures, { cwd: dir, onlyFiles: true, dot: false })) {
      if (!publicFixtures.has(fixture)) chmodSync(join(dir, fixture), 0o600);
    }
    const readable = [
      ...readdirSync(dest)
        .filter((name) => !CHECKS_ONLY.has(name))
        .map((name) => `${labPath}/${name}`),
      ...[...publicFixtures].sort(),
    ];
    const policy: LearnerPolicy = { lab: lab.manifest.id, labDir: labPath, imports: lab.manifest.learner_imports, readable };
    if (opts.linkNodeModules && existsSync(join(root, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    return { dir, labPath, policy, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
