// Starts the learner process from the checks' side: its Node flags (the permission model, limited
// to what the policy allows), its environment, and, in Docker, another user id.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, chmodSync, readFileSync, realpathSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { splitSpecifier, subpathPattern, within, type LearnerPolicy } from './policy.ts';

/**
 * A package's folder as Node's resolver reaches it (through a symlinked node_modules, in a local
 * run) and its real path: the permission model checks the path as given, so both are granted.
 */
function packageDirs(name: string, from: string): string[] {
  const paths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths(from);
  for (const base of paths) {
    const dir = join(base, name);
    if (existsSync(join(dir, 'package.json'))) return [...new Set([realpathSync(dir), dir])];
  }
  return [];
}

function manifest(dir: string): { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; exports?: unknown } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** A package and every package it depends on, as folders. */
function closure(name: string, from: string, out: Set<string>): void {
  const dirs = packageDirs(name, from);
  const fresh = dirs.filter((dir) => !out.has(dir));
  if (fresh.length === 0) return;
  for (const dir of fresh) out.add(dir);
  dependencies(dirs, out);
}

/** Every package a package depends on, looked up from each path it is reached by. */
function dependencies(dirs: string[], out: Set<string>): void {
  const pkg = manifest(dirs[0]);
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    for (const from of dirs) closure(dep, from, out);
  }
}

/** The files and folders the policy's packages need: whole packages, or only the listed subpaths. */
export function packagePaths(imports: string[], labDir: string): string[] {
  const out = new Set<string>();
  const from = join(labDir, 'index.ts');
  const requireFrom = Module.createRequire(from);
  for (const entry of imports) {
    const [name, sub] = splitSpecifier(entry);
    if (!sub) {
      closure(name, labDir, out);
      continue;
    }
    const dirs = packageDirs(name, labDir);
    const dir = dirs[0];
    if (!dir) continue;
    for (const d of dirs) out.add(join(d, 'package.json'));
    dependencies(dirs, out); // what the listed files may need (js-tiktoken's base64-js), never the rest of the package
    const exported = manifest(dir).exports;
    const keys = exported && typeof exported === 'object' ? Object.keys(exported).filter((k) => k.startsWith('./')) : [];
    const pattern = subpathPattern(sub);
    for (const key of keys.filter((k) => pattern.test(k.slice(2)))) {
      try {
        const file = realpathSync(requireFrom.resolve(`${name}/${key.slice(2)}`));
        for (const d of dirs) out.add(join(d, relative(dir, file)));
      } catch {
        // an export that does not resolve for require() is simply not there
      }
    }
  }
  return [...out];
}

/** Paths with none inside another: Node 20's permission tree misbehaves on nested grants. */
function disjoint(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const path of sorted) if (!out.some((p) => within(path, p))) out.push(path);
  return out;
}

/** How to start learner processes for one run tree. */
export interface SpawnPlan {
  root: string;
  policy: LearnerPolicy;
  heapMb: number;
  uid?: number;
  gid?: number;
}

/** A fresh scratch folder for one learner process, writable by its user only by name (mkdtemp). */
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ailab-learner-'));
  chmodSync(dir, 0o777); // the learner runs as another user; the random name keeps others out
  return realpathSync(dir);
}

/** Starts one learner process; its channel is on fd 3. */
export function spawnLearner(plan: SpawnPlan): { child: ChildProcess; scratch: string } {
  const labDir = resolve(plan.root, plan.policy.labDir);
  const scratch = scratchDir();
  const reads = disjoint([
    ...plan.policy.readable.map((p) => resolve(plan.root, p)),
    resolve(plan.root, '.ailab-learner'),
    scratch,
    ...packagePaths(plan.policy.imports, labDir),
  ]);
  const args = [
    '--experimental-permission',
    ...reads.map((p) => `--allow-fs-read=${p}`),
    `--allow-fs-write=${scratch}`,
    '--allow-fs-write=/proc/self/oom_score_adj',
    // A local run tree links node_modules; resolving through the link would read the link itself,
    // which is outside the grants. Kept as given, the paths stay inside them.
    '--preserve-symlinks',
    `--max-old-space-size=${plan.heapMb}`,
    '--enable-source-maps',
    '--disable-warning=ExperimentalWarning',
    resolve(plan.root, '.ailab-learner/host.cjs'),
  ];
  const child = spawn(process.execPath, args, {
    cwd: labDir,
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: scratch,
      TMPDIR: scratch,
      TMP: scratch,
      TEMP: scratch,
      NODE_ENV: 'test',
      TZ: 'UTC',
      LANG: 'C.UTF-8',
      AILAB_RUN_ROOT: plan.root,
    },
    ...(plan.uid !== undefined ? { uid: plan.uid, gid: plan.gid ?? plan.uid } : {}),
  });
  return { child, scratch };
}
