// The files a grading platform needs to check one lab with the local sandbox: the course's own
// runner, that lab with its hidden checks (never its solution or mutants), the fixtures it uses,
// and the production node_modules, so the platform installs nothing and reaches no registry.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { globSync } from 'tinyglobby';
import { LabError } from '../core/errors.ts';
import type { Lab } from '../lab/load.ts';
import { INSTRUCTOR_ONLY } from '../release/release.ts';
import { starterNames } from '../submission/collect.ts';

/** One file of a bundle: its path in the bundle, and its bytes on disk or as text. */
export interface BundleFile {
  path: string;
  source?: string;
  text?: string;
  executable: boolean;
}

/** Lab parts a grader never needs: the solution and mutants (instructor-only), bench and local state. */
const LAB_LEFT_OUT = new Set([...INSTRUCTOR_ONLY.filter((p) => p !== 'checks'), 'bench.ts', 'node_modules', '.ailab']);

/** The user the learner's code runs as on a platform: nobody, which owns no file there. */
export const PLATFORM_LEARNER_UID = 65534;

/**
 * Bash lines that make a grader's own files root's only, since the learner's code runs as nobody:
 * the checks, fixtures, runner and scripts. `traversable` (the course folder and those above it)
 * can be passed through, and node_modules stays readable, for the learner's imports.
 */
export function lockDownLines(course: string, traversable: string[], scripts: string[]): string {
  return `# The learner's code runs as nobody: the grader's own checks, fixtures and runner are root's only.
chmod 0711 ${traversable.map((d) => `"${d}"`).join(' ')}
chmod -R go-rwx "${course}/labs" "${course}/runner" "${course}/package.json" "${course}/package-lock.json" ${scripts.map((f) => `"${f}"`).join(' ')}
if [ -d "${course}/fixtures" ]; then chmod -R go-rwx "${course}/fixtures"; fi
`;
}

/**
 * Bash lines that grade one submission on a platform: \`check\` with the local sandbox (the
 * platform's container is the sandbox), the learner as nobody, files matched by name, into the
 * platform's results.json. Exit 0 when that file holds a score (every check passed, or some
 * failed); a grading failure (exit 3) writes none and keeps its code.
 */
export function gradeLines(lab: Lab, opts: { node: string; submission: string; reporter: 'gradescope' | 'prairielearn'; out: string; env?: Record<string, string> }): string {
  const env = Object.entries({ AILAB_LEARNER_UID: String(PLATFORM_LEARNER_UID), ...opts.env, NO_COLOR: '1', CI: 'true' }).map(([k, v]) => `${k}=${v}`).join(' ');
  return `${env} ${opts.node} runner/bin/ailab.mjs check ${lab.manifest.id} \\
  --submission ${opts.submission} --files-by-name --sandbox local \\
  --reporter ${opts.reporter} --out ${opts.out}
code=$?
# 0: every check passed; 1: some failed. Either way results.json holds the score.
if [ "$code" -le 1 ]; then exit 0; fi
exit "$code"
`;
}

/** Course files at the top that the runner reads. */
const COURSE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

/** Every regular file under `dir` (symlinks are left out: a bundle holds bytes, not links), as absolute paths. */
function walk(dir: string, skip: (name: string, depth: number) => boolean, depth = 0, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (skip(entry.name, depth)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, skip, depth + 1, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * The production packages package-lock.json lists (no dev ones) that are installed: each one's own
 * files, without its nested node_modules, whose packages the lock lists separately.
 */
export function productionPackages(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([key, entry]) => key.startsWith('node_modules/') && !entry.dev && !entry.link && existsSync(join(root, key)))
    .map(([key]) => key)
    .sort();
}

/** The files to bundle for grading `lab`, relative to the course root, under `prefix` in the bundle. */
export function graderFiles(root: string, lab: Lab, prefix: string): BundleFile[] {
  const file = (abs: string): BundleFile => ({ path: join(prefix, relative(root, abs)), source: abs, executable: (lstatSync(abs).mode & 0o111) !== 0 });
  const files: BundleFile[] = [];
  for (const name of COURSE_FILES) if (existsSync(join(root, name))) files.push(file(join(root, name)));
  files.push(...walk(join(root, 'runner'), (name) => name === '.dist' || name === 'bench' || name === 'node_modules').map(file));
  files.push(...walk(lab.dir, (name, depth) => depth === 0 && LAB_LEFT_OUT.has(name)).map(file));
  const fixtures = globSync([...lab.manifest.fixtures, ...lab.manifest.public_fixtures], { cwd: root, onlyFiles: true }).sort();
  files.push(...fixtures.map((f) => file(join(root, f))));
  const packages = productionPackages(root);
  if (!packages.includes('node_modules/vitest')) throw new LabError('E_LAB_FILES', 'node_modules/vitest is missing, so the bundle would have nothing to run the checks with.', 'Run `npm ci` in the course first.');
  for (const pkg of packages) files.push(...walk(join(root, pkg), (name, depth) => name === 'node_modules' || (depth === 0 && name === '.bin')).map(file));
  return files;
}

/** The editable files a learner uploads, by name: the starter's, whose names must be unique. */
export function uploadNames(lab: Lab): string[] {
  const names = starterNames(lab);
  const twice = [...names].filter(([, paths]) => paths.length > 1).map(([name]) => name);
  if (twice.length > 0) {
    throw new LabError('E_LAB_FILES', `${lab.manifest.id}'s editable files share the name${twice.length > 1 ? 's' : ''} ${twice.join(', ')}, and a platform upload keeps only names.`, 'Give each editable file its own name, or have learners submit a zip of the folder.');
  }
  return [...names.keys()].sort();
}
