import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain ES module without types
import { sourceKey } from '../../../runner/bin/bundle.mjs';
import { ROOT } from '../../helpers/cli.ts';
import { demoCourse, demoManifest, removeTree, writeTree } from '../../helpers/course.ts';

const ailab = (args: string[], env: Record<string, string> = {}) => execa(process.execPath, [join(ROOT, 'runner/bin/ailab.mjs'), ...args], { reject: false, env: { NO_COLOR: '1', ...env } });
const keptAs = (text: string) => join(ROOT, 'runner/.dist', sourceKey(), 'manifests', `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.json`);

// The precompiled runner (runner/bin/bundle.mjs) bundles the packages it uses, but leaves out the
// Docker client's BuildKit session (gRPC) and SSH transport (ssh2), which load on first use.
describe('the precompiled runner', () => {
  test('bundles its packages but neither gRPC nor ssh2, and an ssh:// DOCKER_HOST still loads the SSH transport when used', async () => {
    // A port on loopback that nothing listens on: the SSH transport loads, tries, and is refused.
    const run = await ailab(['doctor'], { DOCKER_HOST: 'ssh://nobody@127.0.0.1:9' });
    expect(run.stderr).not.toContain('internal error');
    expect(run.stdout).toContain('no daemon answers at ssh://nobody@127.0.0.1:9');
    const dir = join(ROOT, 'runner/.dist', sourceKey());
    const bundled = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const packages = new Set([...bundled.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]));
    expect([...packages]).toEqual(expect.arrayContaining(['dockerode', 'docker-modem', 'zod', 'yaml', 'execa']));
    expect([...packages].filter((p) => /^(@grpc\/|protobufjs|ssh2|typescript|esbuild|vitest|vite)/.test(p))).toEqual([]);
  });

  test("keeps each valid lab.yaml it parsed, by its text's digest: a changed or broken file is parsed afresh, a damaged copy is ignored", async () => {
    const root = writeTree(demoCourse());
    try {
      const manifest = join(root, 'labs/lab-07-demo/lab.yaml');
      const first = await ailab(['list', '--json'], { AILAB_ROOT: root });
      expect(first.exitCode, first.stderr).toBe(0);
      const kept = keptAs(readFileSync(manifest, 'utf8'));
      expect(existsSync(kept)).toBe(true);
      expect((await ailab(['list', '--json'], { AILAB_ROOT: root })).stdout).toBe(first.stdout);
      writeFileSync(kept, '{ not json');
      expect((await ailab(['list', '--json'], { AILAB_ROOT: root })).stdout).toBe(first.stdout);
      writeFileSync(manifest, demoManifest().replace('title: Demo lab', 'title: Demo lab, renamed'));
      expect(JSON.parse((await ailab(['list', '--json'], { AILAB_ROOT: root })).stdout)[0].title).toBe('Demo lab, renamed');
      const broken = demoManifest().replace('points: 5', 'points: five');
      writeFileSync(manifest, broken);
      const refused = await ailab(['list'], { AILAB_ROOT: root });
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toContain('points');
      expect(existsSync(keptAs(broken))).toBe(false);
    } finally {
      removeTree(root);
    }
  });

  test("keeps the boundary's two builds (the learner host, the checks' side) beside the bundle", async () => {
    const run = await ailab(['check', 'lab-00', '--solution', '--sandbox', 'local', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const dir = join(ROOT, 'runner/.dist', sourceKey(), 'boundary');
    expect(readdirSync(dir).sort()).toEqual(['host.cjs', 'learner.mjs']);
    expect(readFileSync(join(dir, 'learner.mjs'), 'utf8')).toContain('learnerSession');
  });

  test('keeps the type check of the files it checked: the same files again get the kept answer, a changed lab source a fresh check', async () => {
    const root = writeTree(demoCourse({ 'labs/lab-07-demo/src/add.ts': "export function add(a: number, b: number): number {\n  const n: number = 'one';\n  return a + b + n;\n}\n" }));
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
    const kept = join(ROOT, 'runner/.dist', sourceKey(), 'types');
    const listed = () => (existsSync(kept) ? readdirSync(kept) : []);
    const typeErrorsOf = async () => {
      const run = await ailab(['check', '7', '--sandbox', 'local', '--json'], { AILAB_ROOT: root });
      expect(run.stdout, run.stderr).toContain('"schemaVersion"');
      return (JSON.parse(run.stdout).typeErrors ?? []).map((e: { line: number; message: string }) => `${e.line}: ${e.message}`);
    };
    try {
      const before = new Set(listed());
      expect(await typeErrorsOf()).toEqual(["2: TS2322: Type 'string' is not assignable to type 'number'."]);
      const mine = listed().filter((f) => !before.has(f));
      expect(mine).toHaveLength(1);
      // The kept answer is what a second run reports: replaced by hand, the replacement shows.
      writeFileSync(join(kept, mine[0]), '[]');
      expect(await typeErrorsOf()).toEqual([]);
      expect(listed().filter((f) => !before.has(f))).toEqual(mine);
      // A new source in the lab changes what decides the answer: checked afresh.
      mkdirSync(join(root, 'labs/lab-07-demo/src/more'), { recursive: true });
      writeFileSync(join(root, 'labs/lab-07-demo/src/more/util.ts'), 'export const one = 1;\n');
      expect(await typeErrorsOf()).toEqual(["2: TS2322: Type 'string' is not assignable to type 'number'."]);
    } finally {
      removeTree(root);
    }
  });
});
