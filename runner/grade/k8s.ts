import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { UsageError } from '../core/errors.ts';
import type { Lab } from '../lab/load.ts';
import type { LabLimits } from '../lab/schema.ts';
import type { SubmissionEntry } from './discover.ts';

/** What `grade --emit k8s` writes, as objects (the tests validate them against the Kubernetes schema). */
export interface K8sBundle {
  job: Record<string, unknown>;
  claims: Record<string, unknown>[];
  policy: Record<string, unknown>;
}

/** The volume claims, by role: the course checkout, the sharded submissions, the shards' grades. */
const CLAIMS = { course: 'ailab-course', subs: 'ailab-subs', grades: 'ailab-grades' } as const;

/** The shard a pod grades: its Indexed Job completion index, expanded by Kubernetes in args. */
const SHARD = 'shard-$(JOB_COMPLETION_INDEX)';

/** Splits entries round-robin into `n` shards (the first ones get the extra entries). */
export function shardEntries(entries: SubmissionEntry[], n: number): SubmissionEntry[][] {
  const shards: SubmissionEntry[][] = Array.from({ length: n }, () => []);
  entries.forEach((e, i) => shards[i % n].push(e));
  return shards;
}

/**
 * The Kubernetes objects that grade `lab` in `shards` pods: an Indexed Job (one completion per
 * shard, each pod running `ailab grade <lab> /subs/shard-K --out /grades/shard-K --resume`), its
 * three volume claims, and a NetworkPolicy that gives its pods no network at all.
 */
export function k8sBundle(lab: Lab, opts: { shards: number; perShard: number; parallelism: number; image: string; limits: LabLimits }): K8sBundle {
  const name = `ailab-grade-${lab.manifest.id}`;
  const labels = { app: 'ailab-grade', 'ailab/lab': lab.manifest.id };
  // A pod grades one student at a time in the local sandbox: the pod is the sandbox, as the
  // container is on Gradescope. Its limits are the lab's, plus room for the runner itself.
  const memoryMi = opts.limits.memory_mb + 512;
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    spec: {
      completionMode: 'Indexed',
      completions: opts.shards,
      parallelism: Math.min(opts.parallelism, opts.shards),
      // A pod that fails is started again and resumes its shard: results are per student and atomic.
      backoffLimit: Math.max(6, opts.shards * 2),
      // The whole Job's wall clock: every shard's students at the lab's limit, with slack for starts and retries.
      activeDeadlineSeconds: Math.ceil(((opts.limits.timeout_s + 60) * opts.perShard * Math.ceil(opts.shards / Math.min(opts.parallelism, opts.shards)) + 600) * 2),
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'grade',
              image: opts.image,
              workingDir: '/course',
              command: ['node', 'runner/bin/ailab.mjs'],
              args: ['grade', lab.manifest.id, `/subs/${SHARD}`, '--out', `/grades/${SHARD}`, '--resume', '--jobs', '1', '--sandbox', 'local', '--unsafe-local'],
              env: [
                { name: 'CI', value: 'true' },
                { name: 'NO_COLOR', value: '1' },
                { name: 'TMPDIR', value: '/tmp' },
              ],
              resources: {
                requests: { cpu: String(opts.limits.cpus), memory: `${memoryMi}Mi` },
                limits: { cpu: String(opts.limits.cpus), memory: `${memoryMi}Mi` },
              },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'course', mountPath: '/course', readOnly: true },
                { name: 'subs', mountPath: '/subs', readOnly: true },
                { name: 'grades', mountPath: '/grades' },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'course', persistentVolumeClaim: { claimName: CLAIMS.course, readOnly: true } },
            { name: 'subs', persistentVolumeClaim: { claimName: CLAIMS.subs, readOnly: true } },
            { name: 'grades', persistentVolumeClaim: { claimName: CLAIMS.grades } },
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
          ],
        },
      },
    },
  };
  const claim = (claimName: string, mode: string, size: string) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claimName, labels },
    spec: { accessModes: [mode], resources: { requests: { storage: size } } },
  });
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${name}-no-network`, labels },
    spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] },
  };
  return { job, claims: [claim(CLAIMS.course, 'ReadOnlyMany', '2Gi'), claim(CLAIMS.subs, 'ReadOnlyMany', '2Gi'), claim(CLAIMS.grades, 'ReadWriteMany', '2Gi')], policy };
}

/** The instructor's README for an emitted bundle. */
function bundleReadme(lab: Lab, shards: number, students: number, image: string): string {
  const id = lab.manifest.id;
  return `# Grading ${id} on Kubernetes

Written by \`ailab grade ${id} ... --emit k8s\`: ${students} student(s) in ${shards} shard(s) under \`subs/\`.
One Indexed Job grades them, one pod per shard (\`JOB_COMPLETION_INDEX\` picks the shard); each pod
runs \`ailab grade ${id} /subs/shard-K --out /grades/shard-K --resume\`.

No cluster was available where this bundle was made, so the Job itself has not been run. The
manifests are validated against the Kubernetes API schema (batch/v1 Job, v1 PersistentVolumeClaim,
networking.k8s.io/v1 NetworkPolicy), and the shards' commands were run for real on one machine,
with the merged gradebook equal to a one-shot grade of the same class.

## Isolation

Inside a pod there is no Docker: the pod is the sandbox, and \`grade\` runs the local sandbox in it
(\`--sandbox local --unsafe-local\`), as on Gradescope. The pod runs as uid 1000 with no
capabilities, a read-only root, no service account token, and a NetworkPolicy with no ingress
or egress (it needs a network plugin that enforces policies). Students who share a shard share a
pod: with the default of one student per shard, no student's code ever shares a pod with another's.
Fewer shards (\`--shards N\`) start fewer pods, at that cost.

## Steps

1. The pods run \`${image}\` (Node ${process.versions.node.split('.')[0]}, as this machine has): the course
   volume brings everything else. Edit \`job.yaml\` to use an image of your own registry.
2. Create the volumes: \`kubectl apply -f pvc.yaml -f networkpolicy.yaml\`.
3. Fill them: the course checkout, with \`npm ci\` run in it on Linux, into \`ailab-course\`,
   and this folder's \`subs/\` into \`ailab-subs\` (so \`/subs/shard-0\` holds the first shard).
4. Run: \`kubectl apply -f job.yaml\`, then
   \`kubectl wait --for=condition=complete --timeout=24h job/ailab-grade-${id}\`.
   A pod that fails is started again (\`backoffLimit\`) and resumes its shard.
5. Copy \`ailab-grades\` back (\`/grades/shard-*\`) and merge:
   \`npm run lab -- gradebook grades/shard-* --out grades\`.
`;
}

/**
 * Writes the Kubernetes bundle for grading `entries` into `dir`: subs/shard-K/ (copies of the
 * entries), job.yaml, pvc.yaml, networkpolicy.yaml and README.md. `dir` must be new or empty.
 */
export function emitK8s(lab: Lab, entries: SubmissionEntry[], dir: string, opts: { shards?: number; parallelism?: number; image: string; limits: LabLimits }): { shards: number } {
  if (entries.length === 0) throw new UsageError('There are no submissions to shard.', 'Point grade at the folder that holds one entry per student.');
  const shards = opts.shards ?? entries.length;
  if (!Number.isInteger(shards) || shards < 1 || shards > entries.length) throw new UsageError(`--shards must be a whole number from 1 to the number of students (${entries.length}), not "${opts.shards}".`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`--emit k8s ${dir} is not empty.`, 'Name a new folder: the bundle is written there whole.');
  mkdirSync(join(dir, 'subs'), { recursive: true });
  shardEntries(entries, shards).forEach((group, k) => {
    const shard = join(dir, 'subs', `shard-${k}`);
    mkdirSync(shard, { recursive: true });
    for (const e of group) cpSync(e.path, join(shard, basename(e.path)), { recursive: true });
  });
  const bundle = k8sBundle(lab, { shards, perShard: Math.ceil(entries.length / shards), parallelism: opts.parallelism ?? 10, image: opts.image, limits: opts.limits });
  writeFileSync(join(dir, 'job.yaml'), stringify(bundle.job));
  writeFileSync(join(dir, 'pvc.yaml'), bundle.claims.map((c) => stringify(c)).join('---\n'));
  writeFileSync(join(dir, 'networkpolicy.yaml'), stringify(bundle.policy));
  writeFileSync(join(dir, 'README.md'), bundleReadme(lab, shards, entries.length, opts.image));
  return { shards };
}
