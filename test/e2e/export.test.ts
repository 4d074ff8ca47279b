import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { GradescopeResults, PrairieLearnResults } from '../helpers/platform-schemas.ts';
import { platformImage, PlatformContainer, unzip } from '../helpers/platform.ts';

// Each bundle is exported by the real CLI, then run as its platform documents: Gradescope extracts
// the zip to /autograder/source, runs setup.sh as root, copies run_autograder to /autograder and
// runs it for each submission in /autograder/submission; PrairieLearn copies serverFilesCourse
// folders to /grade/serverFilesCourse, the learner's files to /grade/student, and runs the
// entrypoint. Both containers have no network.

const LAB = join(ROOT, 'labs/lab-00-warmup');
const work = mkdtempSync(join(tmpdir(), 'ailab-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A submission as a platform upload leaves it: files by name, no folders. */
function flat(name: string, files: Record<string, string>): string {
  const dir = join(work, 'uploads', name);
  mkdirSync(dir, { recursive: true });
  for (const [file, from] of Object.entries(files)) copyFileSync(from, join(dir, file));
  return dir;
}
const solution = () => flat('solution', { 'similarity.ts': join(LAB, 'solution/src/similarity.ts') });
const starter = () => flat('starter', { 'similarity.ts': join(LAB, 'src/similarity.ts') });
const nothing = () => flat('nothing', {});
/** A submission whose cosine returns the user id its code runs as, and tries to read the course's own checks. */
function spy(courseChecks: string): string {
  const dir = join(work, 'uploads', 'spy');
  mkdirSync(dir, { recursive: true });
  const source = readFileSync(join(LAB, 'solution/src/similarity.ts'), 'utf8').replace(
    /export function cosine\(a: readonly number\[\], b: readonly number\[\]\): number \{/,
    `export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length === 3 && a[0] === 1 && a[1] === 2 && a[2] === 3 && b[2] === 3) {
    let read = 'nothing';
    try { read = String(readFileSync(${JSON.stringify(courseChecks)}, 'utf8').length); } catch (e) { read = (e as { code?: string }).code ?? 'error'; }
    return Number(process.getuid!()) * 1000 + (read === 'EACCES' ? 1 : read === 'ERR_ACCESS_DENIED' ? 2 : 3);
  }`,
  );
  writeFileSync(join(dir, 'similarity.ts'), `import { readFileSync } from 'node:fs';\n${source}`);
  return dir;
}

describe('export gradescope', () => {
  let box: PlatformContainer;
  let source: string;

  beforeAll(async () => {
    const zip = join(work, 'autograder.zip');
    const run = await ailab(['export', 'gradescope', 'lab-00', '--out', zip]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Wrote .*autograder\.zip \(\d+\.\d MB, \d+ files\)/);
    source = join(work, 'gradescope-source');
    await unzip(zip, source);
    box = await PlatformContainer.start(await platformImage('gradescope'));
    await box.putDir(source, '/autograder/source');
    const setup = await box.exec(['bash', '/autograder/source/setup.sh'], { workdir: '/autograder/source' });
    expect(setup.exitCode, `${setup.stdout}\n${setup.stderr}`).toBe(0);
    expect(setup.stdout).toContain('ailab: the autograder for lab-00 is set up');
    expect((await box.exec(['cp', '/autograder/source/run_autograder', '/autograder/run_autograder'])).exitCode).toBe(0);
  });
  afterAll(() => box?.stop());

  /** Runs run_autograder on one upload, as Gradescope does, and returns results.json (undefined if none). */
  async function grade(upload: string) {
    await box.exec(['rm', '-rf', '/autograder/submission', '/autograder/results']);
    await box.putDir(upload, '/autograder/submission');
    const run = await box.exec(['/autograder/run_autograder'], { workdir: '/autograder' });
    const text = await box.read('/autograder/results/results.json');
    return { run, results: text === undefined ? undefined : GradescopeResults.parse(JSON.parse(text)) };
  }

  test('the zip holds the setup.sh and run_autograder at its top, the lab with its hidden checks, and no solution, mutants or other lab', () => {
    expect(readdirSync(source).sort()).toEqual(['ailab', 'node', 'run_autograder', 'setup.sh']);
    expect(existsSync(join(source, 'ailab/labs/lab-00-warmup/checks/similarity.test.ts'))).toBe(true);
    expect(existsSync(join(source, 'ailab/labs/lab-00-warmup/solution'))).toBe(false);
    expect(existsSync(join(source, 'ailab/labs/lab-00-warmup/mutants'))).toBe(false);
    expect(readdirSync(join(source, 'ailab/labs'))).toEqual(['lab-00-warmup']);
    expect(existsSync(join(source, 'ailab/node_modules/vitest/package.json'))).toBe(true);
    expect(existsSync(join(source, 'ailab/node_modules/@stryker-mutator'))).toBe(false); // dev dependencies stay out
    expect(readFileSync(join(source, 'run_autograder'), 'utf8')).toContain('--reporter gradescope --out /autograder/results/results.json');
  });

  test('the solution scores 100: one test per check, hidden checks shown once published', async () => {
    const { run, results } = await grade(solution());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(results!.score).toBe(100);
    expect(results!.tests).toHaveLength(11);
    expect(results!.tests.every((t) => t.status === 'passed' && t.score === t.max_score)).toBe(true);
    expect(new Set(results!.tests.map((t) => t.visibility))).toEqual(new Set(['visible', 'after_published']));
  });

  test('the starter scores what it earns, with each failing check\'s message and hint', async () => {
    const { run, results } = await grade(starter());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(results!.score).toBeLessThanOrEqual(10);
    const failed = results!.tests.filter((t) => t.status === 'failed');
    expect(failed.length).toBeGreaterThan(5);
    expect(failed.every((t) => /\n\nHint: /.test(t.output ?? ''))).toBe(true);
  });

  test('the learner\'s code runs as nobody, and reading the course\'s own checks is refused', async () => {
    const { run, results } = await grade(spy('/autograder/source/ailab/labs/lab-00-warmup/checks/similarity.test.ts'));
    expect(run.exitCode, run.stderr).toBe(0);
    const identical = results!.tests.find((t) => t.number === 'cosine-identical')!;
    // 65534 is nobody; 2 is the permission model's ERR_ACCESS_DENIED (the file's mode, root's only, is the wall behind it)
    expect(identical.output).toMatch(/expected 65534002 to be close to 1/);
    expect(results!.score).toBe(90);
    // Behind the permission model, the modes setup.sh left: nobody reads no check, fixture or runner file, and writes no result.
    for (const path of ['/autograder/source/ailab/labs/lab-00-warmup/checks/similarity.test.ts', '/autograder/source/ailab/runner/cli.ts', '/autograder/source/run_autograder']) {
      const read = await box.exec(['cat', path], { user: '65534:65534' });
      expect(read.exitCode, path).not.toBe(0);
      expect(read.stderr).toContain('Permission denied');
    }
    expect((await box.exec(['cp', '/autograder/source/ailab/node_modules/vitest/package.json', '/autograder/results/results.json'], { user: '65534:65534' })).stderr).toContain('Permission denied');
    expect((await box.exec(['cat', '/autograder/source/ailab/node_modules/vitest/package.json'], { user: '65534:65534' })).exitCode).toBe(0);
  });

  test('an upload without the file is a score of 0 that says which file is missing', async () => {
    const { run, results } = await grade(nothing());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(results!.score).toBe(0);
    expect(results!.output).toContain('src/similarity.ts is missing');
  });
});

describe('export prairielearn', () => {
  let course: string;

  beforeAll(async () => {
    course = join(work, 'pl-course');
    const run = await ailab(['export', 'prairielearn', 'lab-00', course]);
    expect(run.exitCode, run.stderr).toBe(0);
  });

  test('info.json asks for external grading through run.sh, with no network and a timeout PrairieLearn allows; a new export keeps the uuid and an edited question.html', async () => {
    const info = JSON.parse(readFileSync(join(course, 'questions/lab-00/info.json'), 'utf8'));
    expect(info).toMatchObject({
      type: 'v3',
      gradingMethod: 'External',
      externalGradingOptions: { enabled: true, image: expect.stringMatching(/^node:\d+-bookworm-slim$/), serverFilesCourse: ['ailab-lab-00/'], entrypoint: '/grade/serverFilesCourse/ailab-lab-00/run.sh', enableNetworking: false },
    });
    expect(info.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(info.externalGradingOptions.timeout).toBeLessThanOrEqual(600);
    const html = readFileSync(join(course, 'questions/lab-00/question.html'), 'utf8');
    expect(html).toContain('<pl-file-upload file-names="similarity.ts"></pl-file-upload>');
    expect(html).toContain('<pl-external-grader-results>');
    expect(existsSync(join(course, 'serverFilesCourse/ailab-lab-00/labs/lab-00-warmup/solution'))).toBe(false);

    writeFileSync(join(course, 'questions/lab-00/question.html'), `${html}<p>edited</p>\n`);
    const again = await ailab(['export', 'prairielearn', 'lab-00', course]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('question.html was there already and is kept');
    expect(JSON.parse(readFileSync(join(course, 'questions/lab-00/info.json'), 'utf8')).uuid).toBe(info.uuid);
    expect(readFileSync(join(course, 'questions/lab-00/question.html'), 'utf8')).toContain('<p>edited</p>');
  });

  test('run.sh, run under /grade as PrairieLearn does, grades a solution, a starter and an empty upload into the documented results.json', async () => {
    const box = await PlatformContainer.start(await platformImage('prairielearn'));
    try {
      await box.putDir(join(course, 'serverFilesCourse/ailab-lab-00'), '/grade/serverFilesCourse/ailab-lab-00');
      const grade = async (upload: string) => {
        await box.exec(['rm', '-rf', '/grade/student', '/grade/results']);
        await box.putDir(upload, '/grade/student');
        // PrairieLearn makes the entrypoint executable itself, then runs it.
        await box.exec(['chmod', '+x', '/grade/serverFilesCourse/ailab-lab-00/run.sh']);
        const run = await box.exec(['/grade/serverFilesCourse/ailab-lab-00/run.sh'], { workdir: '/grade' });
        const text = await box.read('/grade/results/results.json');
        expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
        return PrairieLearnResults.parse(JSON.parse(text!));
      };
      const best = await grade(solution());
      expect(best.score).toBe(1);
      expect(best.tests).toHaveLength(11);
      expect(best.tests!.every((t) => t.points === t.max_points)).toBe(true);
      const low = await grade(starter());
      expect(low.gradable).not.toBe(false);
      expect(low.score).toBeLessThanOrEqual(0.1);
      expect(low.tests!.some((t) => t.points === 0 && t.max_points > 0)).toBe(true);
      const empty = await grade(nothing());
      expect(empty.gradable).toBe(false);
      expect(String(empty.format_errors)).toContain('src/similarity.ts is missing');
    } finally {
      await box.stop();
    }
  });
});
