// Issue #18, item 5: the Kubernetes bundle's shards, graded for real on this machine. No cluster
// is available here, so each pod's command is taken from job.yaml and run as the pod would run it
// (its shard index filled in, the volumes' paths mapped onto folders), and the shards' results are
// merged with `ailab gradebook`: the gradebook must equal a one-shot grade of the same class.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, expect, test } from 'vitest';
import { makeClass } from '../../fixtures/classes/make-class.ts';
import { ailab } from '../helpers/cli.ts';
import { gradebookRows } from '../helpers/results.ts';

const work = mkdtempSync(join(tmpdir(), 'ailab-k8s-shards-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the shards of --emit k8s, each graded by its pod\'s command and merged, give the gradebook of a one-shot grade', async () => {
  const klass = join(work, 'class');
  const expected = await makeClass('lab-00', klass, 7);
  const oneShot = await ailab(['grade', 'lab-00', klass, '--out', join(work, 'one-shot'), '--jobs', '2']);
  expect(oneShot.exitCode, oneShot.stderr).toBe(0);

  const bundle = join(work, 'bundle');
  const emitted = await ailab(['grade', 'lab-00', klass, '--emit', 'k8s', bundle, '--shards', '3']);
  expect(emitted.exitCode, emitted.stderr).toBe(0);
  expect(emitted.stdout).toContain('for 7 student(s) of lab-00 in 3 shard(s)');
  const job = parse(readFileSync(join(bundle, 'job.yaml'), 'utf8'));
  const container = job.spec.template.spec.containers[0];
  expect(container.command).toEqual(['node', 'runner/bin/ailab.mjs']);
  const grades = join(work, 'grades');
  const shards = await Promise.all(
    Array.from({ length: job.spec.completions as number }, (_, k) =>
      ailab(container.args.map((a: string) => a.replaceAll('$(JOB_COMPLETION_INDEX)', String(k)).replace(/^\/subs\//, `${bundle}/subs/`).replace(/^\/grades\//, `${grades}/`))),
    ),
  );
  for (const s of shards) expect(s.exitCode, s.stderr).toBe(0);

  const merged = join(work, 'merged');
  const merge = await ailab(['gradebook', join(grades, 'shard-0'), join(grades, 'shard-1'), join(grades, 'shard-2'), '--out', merged]);
  expect(merge.exitCode, merge.stderr).toBe(0);
  expect(gradebookRows(merged)).toEqual(gradebookRows(join(work, 'one-shot')));
  expect(gradebookRows(merged)).toEqual(expected.map((m) => `${m.student},${m.status},${m.score}`));
});

test('--emit takes only k8s, needs the folder, and takes no --out', async () => {
  const bad = await ailab(['grade', 'lab-00', work, '--emit', 'slurm', join(work, 'x')]);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain('--emit knows only k8s, not "slurm".');
  const noDir = await ailab(['grade', 'lab-00', work, '--emit', 'k8s']);
  expect(noDir.exitCode).toBe(2);
  expect(noDir.stderr).toContain('--emit k8s needs the lab, the submissions folder and the folder to write');
  const withOut = await ailab(['grade', 'lab-00', work, '--emit', 'k8s', join(work, 'y'), '--out', join(work, 'z')]);
  expect(withOut.exitCode).toBe(2);
  expect(withOut.stderr).toContain('takes no --out');
  const shardsAlone = await ailab(['grade', 'lab-00', work, '--out', join(work, 'z'), '--shards', '2']);
  expect(shardsAlone.exitCode).toBe(2);
  expect(shardsAlone.stderr).toContain('--shards goes with --emit k8s DIR.');
});
