import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { globSync } from 'tinyglobby';
import { UsageError } from '../core/errors.ts';
import { loadLab } from '../lab/load.ts';
import { listLabDirs } from '../lab/resolve.ts';

/** Lab parts that never reach students. */
export const INSTRUCTOR_ONLY = ['checks', 'solution', 'mutants'];

/** Course files a student copy needs besides labs/ and public fixtures. */
const COURSE_FILES = ['README.md', 'ARCHITECTURE.md', 'package-lock.json', 'tsconfig.json', '.gitignore', 'docs', 'runner', 'docker'];

/** npm scripts that only make sense in the instructor's course (they need tests, solutions or mutants). */
const INSTRUCTOR_SCRIPTS = ['test', 'test:unit', 'test:e2e', 'verify', 'bench', 'grade'];

/**
 * Writes a student copy of the course: labs without hidden checks, solutions or mutants, only the
 * fixtures public tests need, and the runner. Returns the files written, relative to `out`.
 */
export function writeRelease(root: string, out: string): string[] {
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`${out} is not empty.`, 'Pick a new folder for the release, or empty this one.');
  mkdirSync(out, { recursive: true });
  for (const item of COURSE_FILES) {
    if (existsSync(join(root, item))) cpSync(join(root, item), join(out, item), { recursive: true, filter: (src) => !src.includes('/node_modules') && !src.endsWith('/bench') });
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const name of INSTRUCTOR_SCRIPTS) delete pkg.scripts?.[name];
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const name of listLabDirs(root)) {
    const lab = loadLab(join(root, 'labs', name), root);
    cpSync(lab.dir, join(out, 'labs', name), {
      recursive: true,
      filter: (src) => {
        const rel = src.slice(lab.dir.length + 1).split('/')[0];
        return !INSTRUCTOR_ONLY.includes(rel) && rel !== 'bench.ts' && rel !== 'node_modules';
      },
    });
    for (const file of globSync(lab.manifest.public_fixtures, { cwd: root, onlyFiles: true })) {
      mkdirSync(dirname(join(out, file)), { recursive: true });
      cpSync(join(root, file), join(out, file));
    }
  }
  return globSync(['**/*'], { cwd: out, dot: true, onlyFiles: true }).sort();
}
