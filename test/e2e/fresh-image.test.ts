// Issue #13: a fresh machine works exactly as a warm one, and a broken sandbox image is never the
// student's fault. Every run here uses a private Docker daemon that starts with no image at all,
// so nothing an earlier test or run left in the machine's daemon can hide a failure.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildOfflineImage } from '../../runner/image/offline.ts';
import { CANDIDATE_REPO, IMAGE_REPO, imageTag } from '../../runner/image/recipe.ts';
import { ResultsSchema } from '../../runner/results/schema.ts';
import { ailab, ROOT } from '../helpers/cli.ts';
import { PrivateDockerd } from '../helpers/private-dockerd.ts';
import { gradebookRows } from '../helpers/results.ts';

const work = mkdtempSync(join(tmpdir(), 'ailab-fresh-'));
const klass = join(work, 'class');
const daemon = new PrivateDockerd();
const tag = imageTag(ROOT, 'offline');
const buildFolder = join(ROOT, '.ailab', 'image-build');

beforeAll(async () => {
  mkdirSync(klass);
  cpSync(join(ROOT, 'fixtures/submissions/lab-00/pass'), join(klass, 'alice'), { recursive: true });
  cpSync(join(ROOT, 'fixtures/submissions/lab-00/fail/partial'), join(klass, 'bob'), { recursive: true });
  await daemon.start();
}, 90_000);
afterAll(async () => {
  await daemon.destroy();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** The real CLI on the private daemon, in the offline image mode. */
const cli = (args: string[]) => ailab(args, { env: { DOCKER_HOST: daemon.host, AILAB_IMAGE_MODE: 'offline' } });

/** The tags of every sandbox image, and of every candidate, in the private daemon. */
async function tags(): Promise<string[]> {
  const images = await daemon.docker.listImages();
  return images.flatMap((i) => i.RepoTags ?? []).filter((t) => t.startsWith(IMAGE_REPO)).sort();
}

/** Build folders that no build is using: what a killed build would leave. */
const buildLeftovers = () => (existsSync(buildFolder) ? readdirSync(buildFolder).filter((n) => n.startsWith(tag.split(':')[1])) : []);

const parse = (stdout: string) => ResultsSchema.parse(JSON.parse(stdout));

describe('a daemon with no ailab image', () => {
  test('three first runs started at once (check, check, grade): one builds the image, the others wait for it, and all score in Docker', async () => {
    expect(await tags()).toEqual([]);
    const out = join(work, 'grades-concurrent');
    const [solution, starter, grade] = await Promise.all([
      cli(['check', 'lab-00', '--solution', '--sandbox', 'docker', '--json']),
      cli(['check', 'lab-00', '--sandbox', 'docker', '--json']),
      cli(['grade', 'lab-00', klass, '--out', out, '--jobs', '1']),
    ]);
    expect(solution.exitCode, solution.stderr).toBe(0);
    expect(parse(solution.stdout)).toMatchObject({ score: 100, sandbox: { kind: 'docker', image: tag } });
    expect(starter.exitCode, starter.stderr).toBe(1);
    expect(parse(starter.stdout)).toMatchObject({ score: 0, sandbox: { kind: 'docker', image: tag } });
    expect(grade.exitCode, grade.stderr).toBe(0);
    expect(gradebookRows(out).sort()).toEqual(['alice,pass,100', 'bob,fail,85']);
    const runs = [solution, starter, grade];
    // Exactly one process built; each of the others said whom it waited for.
    expect(runs.filter((r) => r.stderr.includes('packing the root filesystem')).length).toBe(1);
    const waited = runs.filter((r) => /waiting for another build of ailab-sandbox:[0-9a-f]{16} \(pid \d+\)…/.test(r.stderr));
    expect(waited.length).toBe(2);
    for (const r of runs) expect(r.stderr).not.toContain('ENOENT');
    expect(await tags()).toEqual([tag]);
    expect(buildLeftovers().filter((n) => !n.endsWith('.lock'))).toEqual([]);
  });

  test('a build killed midway leaves nothing that stops the next run: it takes the lock over, builds and scores', async () => {
    await daemon.docker.getImage(tag).remove({ force: true });
    const killed = cli(['image', 'build']);
    // Kill it once it is importing: its lock, its build folder and perhaps a candidate image stay behind.
    await new Promise<void>((resolve) => {
      killed.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('packing the root filesystem')) resolve();
      });
    });
    killed.kill('SIGKILL');
    await killed;
    const locks = buildLeftovers().filter((n) => n.endsWith('.lock'));
    expect(locks.length, 'the killed build left its lock').toBe(1);
    expect(await tags()).toEqual([]); // no tag names a half-built image

    const next = await cli(['check', 'lab-00', '--solution', '--sandbox', 'docker', '--json']);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(parse(next.stdout)).toMatchObject({ score: 100, sandbox: { kind: 'docker', image: tag } });
    expect(next.stderr).not.toContain('waiting for another build'); // the holder is dead: no wait
    expect(await tags()).toEqual([tag]);
    expect(buildLeftovers()).toEqual([]);
    expect((await tags()).some((t) => t.startsWith(CANDIDATE_REPO))).toBe(false);
  });
});

describe('a broken image under the current tag (node_modules without vitest, as an old unproven build left it)', () => {
  beforeAll(async () => {
    await daemon.docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    // A course root whose node_modules holds only vitest's package.json: the image gets no vitest.mjs.
    const broken = join(work, 'broken-root');
    mkdirSync(join(broken, 'node_modules/vitest'), { recursive: true });
    writeFileSync(join(broken, 'node_modules/vitest/package.json'), '{"name":"vitest","version":"0.0.0"}\n');
    await buildOfflineImage(daemon.docker, { root: broken, tag, workDir: join(work, 'broken-rootfs'), onProgress: () => {} });
  }, 120_000);

  test('check exits 3 with the real cause and the next step, never a score', async () => {
    const run = await cli(['check', 'lab-04', '--sandbox', 'docker']);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stdout).not.toContain('Score:');
    expect(run.stderr).toContain('The sandbox could not start the test runner');
    expect(run.stderr).toContain("Cannot find module '/node_modules/vitest/vitest.mjs'");
    expect(run.stderr).toContain('not a problem with the submission');
    expect(run.stderr).toContain('image build --force');
    expect(run.stderr).not.toContain('process.exit()');
  });

  test('doctor and image status run the probe and call the image broken', async () => {
    const doctor = await cli(['doctor']);
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toMatch(/✗ sandbox image +ailab-sandbox:[0-9a-f]{16} \(offline\) is built but cannot run a check: .*Cannot find module/);
    expect(doctor.stdout).toContain('image build --force');
    const status = await cli(['image', 'status']);
    expect(status.exitCode).toBe(3);
    expect(status.stdout).toContain('built but BROKEN');
  });

  test('grade records every student as an infrastructure failure and exits 3; after a rebuild, --resume grades them for real', async () => {
    const out = join(work, 'grades-broken');
    const run = await cli(['grade', 'lab-00', klass, '--out', out, '--jobs', '2']);
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain('image build --force');
    expect(run.stderr).toContain('2 student(s) could not be graded');
    for (const student of ['alice', 'bob']) {
      const results = ResultsSchema.parse(JSON.parse(readFileSync(join(out, 'results', `${student}.json`), 'utf8')));
      expect(results.sandbox.failure, student).toContain("Cannot find module '/node_modules/vitest/vitest.mjs'");
      expect(results.problems.join('\n')).toContain("not the student's fault");
    }

    // `image build` (no --force) sees the existing image fail its probe, and rebuilds it.
    const rebuild = await cli(['image', 'build']);
    expect(rebuild.exitCode, rebuild.stderr).toBe(0);
    expect(rebuild.stderr).toContain('fails its probe');
    expect(rebuild.stdout).toContain('it passes the probe');

    const resumed = await cli(['grade', 'lab-00', klass, '--out', out, '--jobs', '2', '--resume']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).not.toContain('reused with --resume');
    expect(gradebookRows(out).sort()).toEqual(['alice,pass,100', 'bob,fail,85']);
  });
});
