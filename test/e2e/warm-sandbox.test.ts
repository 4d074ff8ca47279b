import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pickSubmission } from '../../runner/commands/options.ts';
import { ensureImage } from '../../runner/image/ensure.ts';
import { resolveLab } from '../../runner/lab/resolve.ts';
import { verifyLab } from '../../runner/lab/verify.ts';
import { runChecks } from '../../runner/run/run-checks.ts';
import { dockerClient } from '../../runner/sandbox/docker-client.ts';
import { DockerSandbox } from '../../runner/sandbox/docker.ts';
import { WarmDockerSandbox } from '../../runner/sandbox/warm.ts';
import { ROOT } from '../helpers/cli.ts';
import { demoCourse, demoManifest, removeTree, writeTree } from '../helpers/course.ts';

// The warm sandbox (watch's) keeps one container up between runs. These runs prove that nothing a
// run leaves behind reaches the next: each run's checks first assert a clean slate, then leave
// behind everything they can (a stray process of the learner's user, files of that user in /tmp,
// state in the checks' worker and in the learner process), and every run must still pass.

const docker = dockerClient();
let image = '';
let root = '';
let warm: WarmDockerSandbox;

const LEARNER = `let calls = 0;
export function add(a: number, b: number): number {
  return a + b;
}
/** How often this learner process was called: 1 in a fresh one. */
export function count(): number {
  return ++calls;
}
`;

const CHECK = `import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Add from '../src/add.ts';

const uid = Number(process.env.AILAB_LEARNER_UID);
const seenBefore = (globalThis as { seen?: number }).seen;
(globalThis as { seen?: number }).seen = 1;
const { add, count } = await learner<typeof Add>('src/add.ts');

/** Processes of the learner's user, by command line. */
function learnerProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
    try {
      if (Number(/^Uid:\\s+(\\d+)/m.exec(readFileSync(\`/proc/\${pid}/status\`, 'utf8'))?.[1]) === uid) found.push(readFileSync(\`/proc/\${pid}/cmdline\`, 'utf8').split('\\0').join(' '));
    } catch {}
  }
  return found;
}

/** Files and folders of the learner's user under a folder. */
function learnerFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const entry = lstatSync(path);
    if (entry.uid === uid) found.push(path);
    else if (entry.isDirectory()) found.push(...learnerFiles(path));
  }
  return found;
}

describe('add', () => {
  test('adds negative numbers', async () => expect(await add(-1, -2)).toBe(-3));

  test('starts clean', async () => {
    expect(seenBefore).toBeUndefined(); // a fresh worker
    expect(await count()).toBe(1); // a fresh learner process
    expect(learnerProcesses().filter((c) => c.includes('stray'))).toEqual([]);
    expect(learnerProcesses()).toHaveLength(1); // this run's learner process only
    expect(learnerFiles('/tmp')).toEqual([]);
    expect(learnerFiles('/dev/shm')).toEqual([]);
    // Leave behind what a run could: a process of the learner's user, and that user's files in /tmp and /dev/shm.
    const leave = "const fs = require('node:fs'); for (const f of ['/tmp/left-behind', '/tmp/ailab-left-behind', '/dev/shm/left']) fs.writeFileSync(f, 'x'); setInterval(() => {}, 1000);";
    spawn(process.execPath, ['-e', leave, 'stray'], { uid, gid: uid, detached: true, stdio: 'ignore' }).unref();
    for (let i = 0; i < 50 && learnerFiles('/tmp').length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(learnerFiles('/tmp')).toEqual(['/tmp/ailab-left-behind', '/tmp/left-behind']);
    expect(learnerFiles('/dev/shm')).toEqual(['/dev/shm/left']);
    expect(learnerProcesses().some((c) => c.includes('stray'))).toBe(true);
  });
});
`;

const HANGS = 'export function add(a: number, b: number): number {\n  for (;;) {}\n}\nexport function count(): number {\n  return 1;\n}\n';

beforeAll(async () => {
  image = await ensureImage(docker, { root: ROOT, onProgress: () => {} });
  root = writeTree(
    demoCourse({
      'labs/lab-07-demo/lab.yaml': demoManifest().replace('        hint: ["Negative numbers too.", "Still +."]', '        hint: ["Negative numbers too.", "Still +."]\n      - id: clean\n        test: "add > starts clean"\n        points: 5\n        visibility: hidden\n        hint: "A run must start clean."'),
      'labs/lab-07-demo/src/add.ts': LEARNER,
      'labs/lab-07-demo/solution/src/add.ts': LEARNER,
      'labs/lab-07-demo/tests/add.test.ts': "import { describe, expect, test } from 'vitest';\nimport { learner } from '#ailab/learner';\nimport type * as Add from '../src/add.ts';\nconst { add } = await learner<typeof Add>('src/add.ts');\ndescribe('add', () => {\n  test('adds small numbers', async () => expect(await add(1, 2)).toBe(3));\n});\n",
      'labs/lab-07-demo/checks/add.test.ts': CHECK,
    }),
  );
  warm = new WarmDockerSandbox(docker, image);
});
afterAll(async () => {
  await warm?.close();
  removeTree(root);
});

/** A warm sandbox's containers, told from other processes' by its id. */
const containersOf = async (sandbox: WarmDockerSandbox, ...labels: string[]) => docker.listContainers({ all: true, filters: { label: [`ailab.warm=${sandbox.id}`, ...labels] } });
const warmContainers = () => containersOf(warm, 'ailab.lab=lab-07');

/** What a running container holds at /lab, each entry with its mode, listed by a process in it. */
async function labFolder(id: string): Promise<string[]> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['node', '-e', "const fs = require('fs'); console.log(JSON.stringify(fs.readdirSync('/lab').map((n) => n + ' ' + (fs.statSync('/lab/' + n).mode & 0o777).toString(8))))"], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((r) => stream.on('end', r));
  return JSON.parse(/\[.*\]/.exec(Buffer.concat(chunks).toString('latin1'))![0]) as string[];
}

describe('warm docker sandbox', () => {
  test('runs again and again in one container, and no run sees what an earlier run left behind', async () => {
    const lab = resolveLab('7', root);
    const sub = pickSubmission(lab, {}, root);
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await runChecks({ lab, root, files: sub.files, source: sub.source, sha256: sub.sha256, sandbox: warm });
      expect(r.checks.map((c) => [c.id, c.status, c.message ?? '']), `run ${i + 1}`).toEqual([
        ['add-small', 'pass', ''],
        ['add-negative', 'pass', ''],
        ['clean', 'pass', ''],
      ]);
      for (const c of await warmContainers()) ids.add(c.Id);
    }
    expect(ids.size).toBe(1); // one container served every run
    expect((await warmContainers())[0]?.State).toBe('running');
    // Each run's tree was copied in for that run and deleted after it: only the agent stays, the
    // checks' side's own (the learner never reads the harness).
    expect(await labFolder([...ids][0])).toEqual(['.agent 700']);
  });

  test('a run past its time limit costs its container, and the next run gets a new one', async () => {
    const lab = resolveLab('7', root);
    const before = (await warmContainers()).map((c) => c.Id);
    const hangs = await runChecks({ lab, root, files: new Map([['src/add.ts', Buffer.from(HANGS)]]), source: 'hangs', sha256: 'x', sandbox: warm, limits: { timeout_s: 8, test_timeout_s: 20 } });
    expect(hangs.sandbox.timedOut).toBe(true);
    expect(hangs.checks.find((c) => c.id === 'add-small')?.status).toMatch(/timeout|error|fail/);
    expect(await warmContainers()).toEqual([]); // gone with the run
    const sub = pickSubmission(lab, {}, root);
    const next = await runChecks({ lab, root, files: sub.files, source: sub.source, sha256: sub.sha256, sandbox: warm });
    expect(next.score).toBe(next.maxScore);
    const after = (await warmContainers()).map((c) => c.Id);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before[0]);
  });

  test('an aborted run costs its container; close() removes the container', async () => {
    const lab = resolveLab('7', root);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('a newer save')), 1500);
    await expect(runChecks({ lab, root, files: new Map([['src/add.ts', Buffer.from(HANGS)]]), source: 'hangs', sha256: 'x', sandbox: warm, signal: controller.signal })).rejects.toThrow('a newer save');
    expect(await warmContainers()).toEqual([]);
    const sub = pickSubmission(lab, {}, root);
    expect((await runChecks({ lab, root, files: sub.files, source: sub.source, sha256: sub.sha256, sandbox: warm })).status).toBe('pass');
    expect(await warmContainers()).toHaveLength(1);
    await warm.close();
    expect(await warmContainers()).toEqual([]);
  });

  test('a run with other limits gets a container of its own, and the first stays up for its next run', async () => {
    // verify interleaves labs whose limits differ: switching between them must not cost a container each time
    const lab = resolveLab('7', root);
    const sub = pickSubmission(lab, {}, root);
    const sandbox = new WarmDockerSandbox(docker, image);
    const mine = async () => (await containersOf(sandbox)).map((c) => c.Id).sort();
    const run = (limits?: { memory_mb: number }) => runChecks({ lab, root, files: sub.files, source: sub.source, sha256: sub.sha256, sandbox, limits });
    try {
      expect((await run()).status).toBe('pass');
      const [first] = await mine();
      expect((await run({ memory_mb: 384 })).status).toBe('pass');
      const both = await mine();
      expect(both).toHaveLength(2);
      expect(both).toContain(first);
      expect((await run()).status).toBe('pass');
      expect((await run({ memory_mb: 384 })).status).toBe('pass');
      expect(await mine()).toEqual(both); // both reused
    } finally {
      await sandbox.close();
    }
    expect(await mine()).toEqual([]);
  });

  test('a warm run scores lab-00 exactly as a fresh container does', async () => {
    const lab = resolveLab('lab-00', ROOT);
    const sandbox = new WarmDockerSandbox(docker, image);
    try {
      for (const opts of [{ solution: true }, {}]) {
        const sub = pickSubmission(lab, opts, ROOT);
        const run = (s: WarmDockerSandbox | DockerSandbox) => runChecks({ lab, root: ROOT, files: sub.files, source: sub.source, sha256: sub.sha256, sandbox: s });
        const [hot, cold] = [await run(sandbox), await run(new DockerSandbox(docker, image))];
        expect(hot.checks.map((c) => [c.id, c.status, c.points, c.message])).toEqual(cold.checks.map((c) => [c.id, c.status, c.points, c.message]));
        expect(hot.score).toBe(cold.score);
      }
    } finally {
      await sandbox.close();
    }
    expect(await containersOf(sandbox)).toEqual([]);
  });
});

describe('verify on the warm sandbox', () => {
  test('a mutant patch is applied to the solution and caught; one that no longer applies fails its own proof, naming the hunk, and the others still run', async () => {
    const mutants = join(root, 'labs/lab-07-demo/mutants');
    mkdirSync(mutants, { recursive: true });
    const diff = (from: string, to: string) => `--- a/src/add.ts\n+++ b/src/add.ts\n@@ -1,5 +1,5 @@\n let calls = 0;\n export function add(a: number, b: number): number {\n-  ${from}\n+  ${to}\n }\n /** How often this learner process was called: 1 in a fresh one. */\n`;
    writeFileSync(join(mutants, 'drops-sign.patch'), `why: Treats every b as positive.\nkills: [add-negative]\n${diff('return a + b;', 'return a + Math.abs(b);')}`);
    writeFileSync(join(mutants, 'stale.patch'), `why: Written against an older solution.\nkills: [add-negative]\n${diff('return b + a;', 'return b - a;')}`);
    const sandbox = new WarmDockerSandbox(docker, image);
    try {
      const report = await verifyLab(resolveLab('7', root), root, sandbox, { slots: 2 });
      const proof = (name: string) => report.proofs.find((p) => p.name === `mutant ${name} is caught`)!;
      expect(proof('drops-sign')).toMatchObject({ ok: true, detail: [] });
      expect(proof('drops-sign').score).toBeLessThan(proof('drops-sign').maxScore);
      expect(proof('stale').ok).toBe(false);
      expect(proof('stale').detail.join('\n')).toContain('labs/lab-07-demo/mutants/stale.patch: hunk 1 of 1 for src/add.ts (@@ -1,5 +1,5 @@) does not apply to solution/src/add.ts.');
      expect(report.proofs.find((p) => p.name === 'solution scores 100')?.ok).toBe(true);
    } finally {
      await sandbox.close();
    }
  });
});
