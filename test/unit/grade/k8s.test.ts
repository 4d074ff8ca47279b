import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, test } from 'vitest';
import { emitK8s, k8sBundle, shardEntries } from '../../../runner/grade/k8s.ts';
import { discoverSubmissions } from '../../../runner/grade/discover.ts';
import { loadLab } from '../../../runner/lab/load.ts';
import { ROOT } from '../../helpers/cli.ts';

const lab = loadLab(join(ROOT, 'labs/lab-03-batching-server'), ROOT);
const work = mkdtempSync(join(tmpdir(), 'ailab-k8s-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('grade --emit k8s', () => {
  test('the Job, its claims and its NetworkPolicy are valid against the Kubernetes API schema', () => {
    const bundle = k8sBundle(lab, { shards: 7, perShard: 3, parallelism: 10, image: 'node:20-bookworm-slim', limits: lab.manifest.limits });
    // kubernetes-models validates each object against the OpenAPI schema it carries, and throws on any error.
    const job = new Job(bundle.job as never);
    expect(() => job.validate()).not.toThrow();
    for (const c of bundle.claims) expect(() => new PersistentVolumeClaim(c as never).validate()).not.toThrow();
    expect(() => new NetworkPolicy(bundle.policy as never).validate()).not.toThrow();
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 7, parallelism: 7 });
    const pod = job.spec!.template.spec!;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].args).toEqual(['grade', 'lab-03', '/subs/shard-$(JOB_COMPLETION_INDEX)', '--out', '/grades/shard-$(JOB_COMPLETION_INDEX)', '--resume', '--jobs', '1', '--sandbox', 'local', '--unsafe-local']);
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(bundle.policy).toMatchObject({ spec: { policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] } });
  });

  test('the schema check is real: a Job with a wrong field type is refused', () => {
    const bundle = k8sBundle(lab, { shards: 2, perShard: 1, parallelism: 10, image: 'x', limits: lab.manifest.limits });
    const broken = { ...bundle.job, spec: { ...(bundle.job.spec as object), completions: 'two' } };
    expect(() => new Job(broken as never).validate()).toThrow(/completions must be integer/);
  });

  test('entries are split round-robin into shards, every one exactly once', () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ student: `s${i}`, path: `/x/s${i}`, kind: 'folder' as const }));
    const shards = shardEntries(entries, 3);
    expect(shards.map((s) => s.length)).toEqual([4, 3, 3]);
    expect(shards.flat().map((e) => e.student).sort()).toEqual(entries.map((e) => e.student).sort());
  });

  test('the bundle on disk: subs/shard-K with copies of the entries, YAML that parses to the same objects, a README; a folder in use is refused', () => {
    const subs = join(work, 'subs');
    for (const s of ['ann', 'bob', 'cy']) {
      mkdirSync(join(subs, s, 'src'), { recursive: true });
      writeFileSync(join(subs, s, 'src', 'server.ts'), `// ${s}\n`);
    }
    const out = join(work, 'bundle');
    const { entries } = discoverSubmissions(subs);
    expect(emitK8s(lab, entries, out, { image: 'node:20-bookworm-slim', limits: lab.manifest.limits })).toEqual({ shards: 3 });
    expect(readdirSync(join(out, 'subs')).sort()).toEqual(['shard-0', 'shard-1', 'shard-2']);
    expect(readdirSync(join(out, 'subs', 'shard-1'))).toEqual(['bob']);
    expect(readFileSync(join(out, 'subs', 'shard-2', 'cy', 'src', 'server.ts'), 'utf8')).toBe('// cy\n');
    const docs = parseAllDocuments(readFileSync(join(out, 'pvc.yaml'), 'utf8')).map((d) => d.toJS());
    expect(docs.map((d) => d.metadata.name)).toEqual(['ailab-course', 'ailab-subs', 'ailab-grades']);
    expect(() => new Job(parseAllDocuments(readFileSync(join(out, 'job.yaml'), 'utf8'))[0].toJS()).validate()).not.toThrow();
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('No cluster was available where this bundle was made');
    expect(() => emitK8s(lab, entries, out, { image: 'x', limits: lab.manifest.limits })).toThrow('is not empty');
    expect(() => emitK8s(lab, entries, join(work, 'other'), { shards: 4, image: 'x', limits: lab.manifest.limits })).toThrow('--shards must be a whole number from 1 to the number of students (3)');
  });
});
