import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { closest, parseOptions, type CommandContext } from '../cli.ts';
import { EXIT, SandboxError, UsageError } from '../core/errors.ts';
import { courseRoot, RUNNER_VERSION } from '../core/paths.ts';
import { mapPool } from '../core/pool.ts';
import { discoverSubmissions, readRoster, type SubmissionEntry } from '../grade/discover.ts';
import { writeExports, type GradeRow } from '../grade/exports.ts';
import { gradeEntry } from '../grade/grade-one.ts';
import { emitK8s } from '../grade/k8s.ts';
import { NODE_IMAGE } from '../image/recipe.ts';
import { lockOutput } from '../grade/lock.ts';
import { gradebookRows, readResults } from '../grade/gradebook.ts';
import type { Results } from '../results/schema.ts';
import { saveResult, staleBecause } from '../grade/store.ts';
import { summarize } from '../grade/summary.ts';
import { labVersion } from '../lab/version.ts';
import { refuseInStudentCopy } from '../release/release.ts';
import { resolveLab } from '../lab/resolve.ts';
import { type MultiHostSandbox, openHosts, parseHosts } from '../sandbox/hosts.ts';
import { openSandbox, parseSandboxChoice } from '../sandbox/select.ts';
import { colors } from '../ui/colors.ts';
import { progress } from '../ui/progress.ts';
import { classSimilarity } from '../similarity/class.ts';
import { DEFAULT_THRESHOLD, type Similarity } from '../similarity/compare.ts';
import { RUN_OPTIONS, fraction, limitsOverride, wholeNumber } from './options.ts';

const USAGE = 'grade <lab> <submissions> --out DIR [options]   |   grade <lab> <submissions> --emit k8s DIR [--shards N]';
const HELP = `Usage: ailab ${USAGE}

Grades every student in <submissions> (one sub-folder, git checkout, .zip or .tar.gz each), each
in its own fresh sandbox with only the lab's editable files staged, and writes to DIR:
  results/<student>.json   one validated results object per student, written atomically
  grades.csv, grades.json, junit.xml, report.html, gradescope/<student>/results.json, feedback/<student>.md
  canvas.csv, moodle.csv   the grades in Canvas's and Moodle's import layouts
  similarity.json          submissions that look alike: identical ones, and near-duplicates by
                           winnowing over TypeScript tokens (the starter's code left out), also
                           against the solution; a lead for a person to check, never a change to a score

Options:
  --out DIR          where to write (required)
  --jobs N           sandboxes at once (default: the number of cores, ${availableParallelism()});
                     with several hosts, per host
  --docker-host URL  grade on this Docker host; repeat it for several (unix://, tcp:// with
                     DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, ssh://). One queue: each host takes
                     the next student when it has a free slot; a host that fails hands its
                     students to the others, and after 3 failures in a row drops out
  --hosts FILE       more hosts, from YAML: hosts: [{ url, jobs, tls: { ca, cert, key } }]
  --emit k8s DIR     grade nothing here: write a Kubernetes bundle to DIR instead (the
                     submissions in shards, an Indexed Job with one pod per shard, its volume
                     claims, a NetworkPolicy and a README); merge the shards with "ailab gradebook"
  --shards N         with --emit: how many shards (default: one per student, so no two
                     students' code shares a pod)
  --parallelism N    with --emit: pods at once (default 10)
  --image IMAGE      with --emit: the pods' image (default ${NODE_IMAGE})
  --resume           skip students whose result exists for the same submission and lab version
  --only IDS         grade just these students (comma-separated); the exports are rebuilt
                     from every result in DIR/results/, so the rest of the class stays
  --roster FILE      a CSV of student ids (a Canvas or Moodle export works as it is);
                     students without a submission are reported
  --missing-as-zero  in canvas.csv and moodle.csv, 0 for a student with no submission (default: blank)
  --roster-id-column NAME
                     the roster column that holds the ids (default: SIS Login ID for Canvas;
                     Username, Email address or ID number for Moodle; else id/login/username)
  --similarity-threshold X
                     report pairs whose similarity is at least X, from 0 to 1 (default ${DEFAULT_THRESHOLD})
  --timeout S        override the lab's wall-clock limit, in seconds
  --test-timeout S   override the lab's per-check limit, in seconds
  --sandbox KIND     docker (default) | local, which needs --unsafe-local
  --unsafe-local     allow grading without isolation
  -h, --help         show this help

Examples:
  npm run grade -- lab-03 ./submissions --out ./grades --jobs 4
  npm run grade -- lab-03 ./submissions --out ./grades --resume
  npm run grade -- lab-03 ./submissions --out ./grades --only alice,bob
  npm run grade -- lab-04 ./subs --out ./grades --docker-host tcp://grader-1:2376 --docker-host ssh://me@grader-2
  npm run grade -- lab-03 ./subs --emit k8s ./k8s-bundle --shards 40`;

/** The entries of the students --only names (all of them without it); an id with no entry is a usage error. */
function onlyThese(entries: SubmissionEntry[], only: string | undefined): SubmissionEntry[] {
  if (only === undefined) return entries;
  const ids = [...new Set(only.split(',').map((s) => s.trim()).filter(Boolean))];
  if (ids.length === 0) throw new UsageError('--only needs at least one student id, like --only alice,bob.');
  const unknown = ids.filter((id) => !entries.some((e) => e.student === id));
  if (unknown.length > 0) {
    const guess = closest(unknown[0], entries.map((e) => e.student));
    throw new UsageError(`--only names student(s) with no submission here: ${unknown.join(', ')}.`, guess ? `Did you mean "${guess}"?` : 'The ids are the entry names in the submissions folder, without .zip or .tar.gz.');
  }
  return entries.filter((e) => ids.includes(e.student));
}

/** `grade <lab> <submissions> --emit k8s DIR`: the Kubernetes bundle, nothing graded here. */
function emit(values: { emit?: string; shards?: string; parallelism?: string; image?: string; out?: string; timeout?: string; 'test-timeout'?: string }, positionals: string[]): number {
  if (values.emit !== 'k8s') throw new UsageError(`--emit knows only k8s, not "${values.emit}".`, 'Use --emit k8s DIR.');
  if (positionals.length !== 3) throw new UsageError('--emit k8s needs the lab, the submissions folder and the folder to write: grade <lab> <submissions> --emit k8s DIR.', `Usage: ailab ${USAGE}`);
  if (values.out) throw new UsageError('--emit k8s grades nothing here, so it takes no --out: the pods write to their volume.', 'Merge their results afterwards with `ailab gradebook`.');
  const root = courseRoot();
  refuseInStudentCopy(root, 'grade');
  const lab = resolveLab(positionals[0], root);
  const found = discoverSubmissions(resolve(positionals[1]));
  const dir = resolve(positionals[2]);
  const limits = { ...lab.manifest.limits, ...limitsOverride(values) };
  const { shards } = emitK8s(lab, found.entries, dir, { shards: wholeNumber('shards', values.shards, 100_000), parallelism: wholeNumber('parallelism', values.parallelism, 10_000), image: values.image ?? NODE_IMAGE, limits });
  process.stdout.write(`Wrote a Kubernetes bundle for ${found.entries.length} student(s) of ${lab.manifest.id} in ${shards} shard(s) to ${dir}: job.yaml, pvc.yaml, networkpolicy.yaml, subs/, README.md (the steps).\n`);
  if (found.skipped.length > 0) process.stdout.write(`skipped ${found.skipped.length} entr${found.skipped.length === 1 ? 'y' : 'ies'} of the submissions folder:\n${found.skipped.map((s) => `  ${s.name}: ${s.reason}`).join('\n')}\n`);
  return EXIT.ok;
}

/** For the incomplete-batch error: the hosts that dropped out, and why (empty with one host). */
function droppedHosts(hosts: MultiHostSandbox | undefined): string {
  const dropped = hosts?.tally().filter((h) => h.dropped) ?? [];
  return dropped.length === 0 ? '' : ` Docker hosts that dropped out: ${dropped.map((h) => `${h.url} (${h.dropped})`).join('; ')}.`;
}

/** The summary's line on similarity: how many leads, and what they are (and are not). */
function similarityLine(s: Similarity): string {
  const identical = s.pairs.filter((p) => p.kind === 'identical').length;
  const near = s.pairs.length - identical;
  if (s.pairs.length === 0) return `\nsimilarity: no pair at or above ${s.threshold} (similarity.json).\n`;
  return `\nsimilarity: ${identical} identical and ${near} near-duplicate pair(s) at or above ${s.threshold}, in similarity.json and report.html. A lead for a person to check, never a verdict; scores are unchanged.\n`;
}

const fmt = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s` : `${Math.round(ms / 1000)}s`);

/** \`ailab grade\`: a class of submissions into results, exports and a summary. */
export async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    { ...RUN_OPTIONS, out: { type: 'string' }, jobs: { type: 'string' }, resume: { type: 'boolean' }, roster: { type: 'string' }, 'roster-id-column': { type: 'string' }, only: { type: 'string' }, 'missing-as-zero': { type: 'boolean' }, 'unsafe-local': { type: 'boolean' }, 'docker-host': { type: 'string', multiple: true }, hosts: { type: 'string' }, emit: { type: 'string' }, shards: { type: 'string' }, parallelism: { type: 'string' }, image: { type: 'string' }, 'similarity-threshold': { type: 'string' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (values.emit !== undefined) return emit(values, positionals);
  for (const flag of ['shards', 'parallelism', 'image'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --emit k8s DIR.`, `Usage: ailab ${USAGE}`);
  if (positionals.length !== 2) throw new UsageError('Name the lab and the submissions folder.', `Usage: ailab ${USAGE}`);
  if (!values.out) throw new UsageError('--out DIR is required: it is where results and the gradebook go.', `Usage: ailab ${USAGE}`);
  const jobs = wholeNumber('jobs', values.jobs, 64) ?? availableParallelism();
  const choice = parseSandboxChoice(values.sandbox ?? 'docker');
  const hostSpecs = values['docker-host'] || values.hosts ? parseHosts(values['docker-host'] ?? [], values.hosts, jobs) : undefined;
  if (hostSpecs && choice !== 'docker') throw new UsageError('--docker-host and --hosts grade in Docker: they do not go with --sandbox local.');
  if (choice === 'local' && !values['unsafe-local']) throw new UsageError('Grading runs untrusted code: --sandbox local needs --unsafe-local as well.', 'Start Docker (npm run lab -- doctor) or add --unsafe-local if you trust every submission.');
  const root = courseRoot();
  refuseInStudentCopy(root, 'grade');
  const lab = resolveLab(positionals[0], root);
  if (values['roster-id-column'] !== undefined && !values.roster) throw new UsageError('--roster-id-column needs --roster FILE.', `Usage: ailab ${USAGE}`);
  const read = values.roster ? readRoster(values.roster, values['roster-id-column']) : undefined;
  const roster = read?.ids;
  const found = discoverSubmissions(resolve(positionals[1]), read);
  const entries = onlyThese(found.entries, values.only);
  const limits = limitsOverride(values);
  const threshold = fraction('similarity-threshold', values['similarity-threshold']);
  const out = resolve(values.out);
  const release = lockOutput(out);
  // Read once: --resume reuses from it, and the gradebook keeps the students this run does not grade.
  const before = readResults(out).results;
  const other = [...before.values()].find((r) => r.lab.id !== lab.manifest.id);
  if (other) {
    release();
    throw new UsageError(`${out} already holds results of ${other.lab.id}, not ${lab.manifest.id}: a gradebook is for one lab.`, 'Grade this lab into another --out folder.');
  }
  // One signal for the whole batch: Ctrl-C, or a failure no student can get past (a full disk),
  // stops new runs and kills those in flight.
  const batch = new AbortController();
  const onInterrupt = () => batch.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onInterrupt, { once: true });
  try {
    const show = progress();
    const c = colors(process.stderr);
    const notice = (text: string) => {
      show.done();
      process.stderr.write(`${c.yellow('warning:')} ${text}\n`);
    };
    const hosts = hostSpecs ? await openHosts(hostSpecs, { root, onProgress: show.step, onNotice: notice }) : undefined;
    const sandbox = hosts ?? (await openSandbox({ choice: choice === 'auto' ? 'docker' : choice, root, onProgress: show.step }));
    const version = labVersion(lab, root);
    const started = Date.now();
    let done = 0;
    let failing = 0;
    let skipped = 0;
    // Everything that can change a score: a saved result is reused only when all of it matches.
    const identity = { labVersion: version, limits: { ...lab.manifest.limits, ...limits }, runnerVersion: RUNNER_VERSION, sandboxKind: sandbox.kind, image: sandbox.image };
    const regraded = new Map<string, number>();
    const tick = () => {
      const elapsed = Date.now() - started;
      const graded = done - skipped;
      const eta = graded > 0 ? fmt(((entries.length - done) * elapsed) / graded) : '?';
      show.step(`graded ${done}/${entries.length}, ${failing} not passing, ETA ${eta}`);
    };
    tick();
    const graded = await mapPool(
      entries,
      hosts?.slots ?? jobs,
      async (entry) => {
        try {
          const saved = values.resume ? before.get(entry.student) : undefined;
          // Reused only when nothing that can change a score has changed, and the sandbox graded it.
          const stale = saved ? staleBecause(saved, identity) : undefined;
          if (stale) regraded.set(stale, (regraded.get(stale) ?? 0) + 1);
          const previous = saved && !stale ? saved : undefined;
          const { results, reused } = await gradeEntry({ lab, root, entry, sandbox, limits, signal: batch.signal, previous, onNotice: notice });
          if (reused) skipped++;
          else saveResult(out, entry.student, results);
          done++;
          if (results.status !== 'pass') failing++;
          tick();
          return { student: entry.student, results };
        } catch (error) {
          if (!batch.signal.aborted) batch.abort(error);
          throw error;
        }
      },
      batch.signal,
    );
    await sandbox.sweep?.();
    // Every submission in the folder, graded in this run or not (--only, --resume).
    show.step(`comparing ${found.entries.length} submission(s) with each other, the solution and the starter`);
    const leads = await classSimilarity(lab, found.entries, threshold);
    show.done();
    // The gradebook holds every result in results/, not just this run's: a regrade of some
    // students (--only, or a folder holding only them) never shrinks it.
    const saved = new Map([...before, ...graded.map((g): [string, Results] => [g.student, g.results])]);
    const rows: GradeRow[] = gradebookRows(saved, roster);
    const kept = [...saved.keys()].filter((s) => !entries.some((e) => e.student === s));
    const missing = rows.filter((r) => !r.results).map((r) => r.student);
    const unknown = roster ? entries.filter((e) => !roster.includes(e.student)).map((e) => e.student) : [];
    writeExports(out, lab, rows, { roster: read, missingAsZero: values['missing-as-zero'], skipped: found.skipped }, leads);
    process.stdout.write(summarize(lab, rows));
    process.stdout.write(similarityLine(leads.similarity));
    if (hosts) process.stdout.write(`\nhosts:\n${hosts.tally().map((h) => `  ${h.url}  graded ${h.graded} student(s) in ${fmt(h.busyMs)} of sandbox time${h.dropped ? `; dropped: ${h.dropped}` : ''}`).join('\n')}\n`);
    if (missing.length > 0) process.stdout.write(`\nno submission from: ${missing.join(', ')}\n`);
    if (unknown.length > 0) process.stdout.write(`not on the roster: ${unknown.join(', ')}\n`);
    if (found.skipped.length > 0) process.stdout.write(`skipped ${found.skipped.length} entr${found.skipped.length === 1 ? 'y' : 'ies'} of the submissions folder (also in grades.json):\n${found.skipped.map((s) => `  ${s.name}: ${s.reason}`).join('\n')}\n`);
    if (kept.length > 0) process.stdout.write(`kept ${kept.length} earlier result(s) from ${out}/results/ for student(s) not graded in this run: ${kept.join(', ')} (delete results/<id>.json to drop one)\n`);
    if (read) process.stdout.write(`roster: ${read.ids.length} student(s), ids from ${read.column ? `the column "${read.column}"` : 'the first column'}${read.layout === 'canvas' || read.layout === 'moodle' ? ` of a ${read.layout === 'canvas' ? 'Canvas' : 'Moodle'} export` : ''}\n`);
    for (const [why, n] of regraded) process.stdout.write(`\n--resume graded ${n} saved result(s) again: ${why}.`);
    process.stdout.write(`\n${skipped > 0 ? `${skipped} result(s) reused with --resume. ` : ''}Wrote ${out}/grades.csv, canvas.csv, moodle.csv, grades.json, junit.xml, report.html, similarity.json, results/, gradescope/, feedback/ in ${fmt(Date.now() - started)}.\n`);
    const broken = graded.filter((r) => r.results.sandbox.failure).map((r) => r.student);
    if (broken.length > 0) {
      throw new SandboxError(
        'E_GRADE_INCOMPLETE',
        `${broken.length} student(s) could not be graded because the sandbox failed twice, which is not their fault: ${broken.join(', ')}.${droppedHosts(hosts)}`,
        'Their rows say "error", with the cause. Fix it (a daemon that answers `docker info`; a broken image: `npm run lab -- image build --force`), then run the same command with --resume: it grades just them again and keeps every other result.',
      );
    }
    return EXIT.ok;
  } finally {
    ctx.signal.removeEventListener('abort', onInterrupt);
    release();
  }
}
