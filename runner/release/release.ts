import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { globSync } from 'tinyglobby';
import { isScalar, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { UsageError } from '../core/errors.ts';
import { runnerDir } from '../core/paths.ts';
import { loadLab } from '../lab/load.ts';
import { listLabDirs } from '../lab/resolve.ts';

/** The file that marks a folder as a student copy written by `release`. */
export const RELEASE_MARKER = '.ailab-release.json';

/** What a hidden check says in a student copy instead of its hints: nothing about what it tests. */
export const HIDDEN_HINT = 'A hidden check: it runs when your work is graded, and its hints come back with your grade.';

/** True when `root` is a student copy written by `release` (no hidden checks, solutions or mutants). */
export function isStudentCopy(root: string): boolean {
  return existsSync(join(root, RELEASE_MARKER));
}

/** Throws a clear usage error in a student copy, for the instructor-only commands. */
export function refuseInStudentCopy(root: string, command: string): void {
  if (!isStudentCopy(root)) return;
  throw new UsageError(
    `\`${command}\` needs the instructor's course, and this is a student copy made by \`ailab release\` (${RELEASE_MARKER}): it has no hidden checks, solutions or mutants, so it can't ${command === 'grade' ? 'grade anyone' : command === 'export' ? 'build an autograder' : 'prove the checks'}.`,
    `Run \`npm run lab -- ${command}\` in the course repository. Here, \`npm run check <lab>\` runs the public tests.`,
  );
}

/** The keys a hidden check keeps in a student copy, beside its neutral test name and hint. */
const KEPT_HIDDEN = ['id', 'points', 'visibility'];

/**
 * A lab.yaml for students: each hidden check keeps its id, points and visibility, and nothing
 * else: its test name and hint ladder (which may quote the exact values it checks) are replaced
 * by neutral text, and every other key (docs, hint_when, …) is dropped. Comments and the rest of the file stay.
 */
export function studentManifest(text: string): string {
  const doc = parseDocument(text);
  const tasks = doc.get('tasks') as YAMLSeq | undefined;
  tasks?.items.forEach((_, t) => {
    const checks = doc.getIn(['tasks', t, 'checks']) as YAMLSeq | undefined;
    checks?.items.forEach((_, c) => {
      const at = ['tasks', t, 'checks', c];
      if (doc.getIn([...at, 'visibility']) !== 'hidden') return;
      const check = doc.getIn(at) as YAMLMap;
      for (const pair of [...check.items]) {
        if (!KEPT_HIDDEN.includes(String(isScalar(pair.key) ? pair.key.value : pair.key))) check.delete(pair.key);
      }
      doc.setIn([...at, 'test'], `hidden > ${String(doc.getIn([...at, 'id']))}`);
      doc.setIn([...at, 'hint'], HIDDEN_HINT);
    });
  });
  return doc.toString({ lineWidth: 0 });
}

/** Lab parts that never reach students. */
export const INSTRUCTOR_ONLY = ['checks', 'solution', 'mutants'];

/** Course files a student copy needs besides labs/ and public fixtures. */
const COURSE_FILES = ['ARCHITECTURE.md', 'package-lock.json', 'tsconfig.json', '.gitignore', 'docs', 'runner', 'docker'];

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
    if (existsSync(join(root, item))) cpSync(join(root, item), join(out, item), { recursive: true, filter: (src) => !src.includes('/node_modules') && !src.endsWith('/bench') && !src.includes('/runner/.dist') });
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
        return !INSTRUCTOR_ONLY.includes(rel) && rel !== 'bench.ts' && rel !== 'node_modules' && rel !== '.ailab'; // .ailab: a runner's local state, never course content
      },
    });
    const manifest = join(out, 'labs', name, 'lab.yaml');
    writeFileSync(manifest, studentManifest(readFileSync(manifest, 'utf8')));
    for (const file of globSync(lab.manifest.public_fixtures, { cwd: root, onlyFiles: true })) {
      mkdirSync(dirname(join(out, file)), { recursive: true });
      cpSync(join(root, file), join(out, file));
    }
  }
  // The course README is the instructor's; students get their own.
  cpSync(join(runnerDir(), 'release', 'STUDENT_README.md'), join(out, 'README.md'));
  writeFileSync(join(out, RELEASE_MARKER), `${JSON.stringify({ release: 1, note: 'A student copy written by ailab release: no hidden checks, solutions or mutants.' }, null, 2)}\n`);
  return globSync(['**/*'], { cwd: out, dot: true, onlyFiles: true }).sort();
}
