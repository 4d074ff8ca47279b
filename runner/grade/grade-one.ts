import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AilabError, SandboxError } from '../core/errors.ts';
import type { Lab } from '../lab/load.ts';
import type { LabLimits } from '../lab/schema.ts';
import { errorResults } from '../results/error-results.ts';
import type { Results } from '../results/schema.ts';
import { runChecks } from '../run/run-checks.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { collectSubmission, type Submission } from '../submission/collect.ts';
import type { SubmissionEntry } from './discover.ts';
import { extractTarGz, extractZip } from './extract.ts';

/** Top-level names that show a folder is laid out as a submission: labs/, or the first part of an editable glob (src/). */
function ownTop(lab: Lab): Set<string> {
  return new Set(['labs', ...lab.manifest.files.map((glob) => glob.split('/')[0])]);
}

/** A folder's visible entries, without the archive tools' litter (__MACOSX, dot files). */
function visible(dir: string) {
  return readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.') && e.name !== '__MACOSX');
}

/**
 * The folder that holds the submission: the folder itself, or, when it only wraps one folder
 * (alice/src/..., or an LMS download's two levels), that folder, up to two levels down.
 */
function unwrap(lab: Lab, dir: string, levels = 2): string {
  const entries = visible(dir);
  const top = ownTop(lab);
  if (levels === 0 || entries.some((e) => top.has(e.name)) || entries.length !== 1 || !entries[0].isDirectory()) return dir;
  return unwrap(lab, join(dir, entries[0].name), levels - 1);
}

/** The one archive a folder holds instead of the submission itself (Moodle's folder-per-student download), if that is what it is. */
function loneArchive(lab: Lab, dir: string): { path: string; kind: 'zip' | 'tar.gz' } | undefined {
  const inner = unwrap(lab, dir);
  const entries = visible(inner);
  const top = ownTop(lab);
  if (entries.some((e) => top.has(e.name)) || entries.length !== 1 || !entries[0].isFile()) return undefined;
  const name = entries[0].name;
  const kind = /\.zip$/i.test(name) ? 'zip' : /\.(tar\.gz|tgz)$/i.test(name) ? 'tar.gz' : undefined;
  return kind ? { path: join(inner, name), kind } : undefined;
}

/** Unpacks (if needed) and collects one student's editable files; problems become part of the result. */
export async function openSubmission(lab: Lab, entry: SubmissionEntry): Promise<{ submission: Submission; cleanup(): void }> {
  let archive: { path: string; kind: 'zip' | 'tar.gz' } | undefined = entry.kind === 'zip' || entry.kind === 'tar.gz' ? { path: entry.path, kind: entry.kind } : undefined;
  if (!archive) {
    archive = loneArchive(lab, entry.path);
    if (!archive) return { submission: collectSubmission(lab, unwrap(lab, entry.path), entry.path), cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ailab-sub-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await (archive.kind === 'zip' ? extractZip(archive.path, dir) : extractTarGz(archive.path, dir));
    // An archive often wraps everything in a top folder or two; look inside when src/ is not at the top.
    return { submission: collectSubmission(lab, unwrap(lab, dir), entry.path), cleanup };
  } catch (error) {
    cleanup();
    if (error instanceof AilabError) {
      // Hash the archive itself, so --resume recognises the same broken upload.
      const sha256 = createHash('sha256').update(readFileSync(archive.path)).digest('hex');
      return { submission: { source: entry.path, base: dir, files: new Map(), sha256, problems: [error.message] }, cleanup: () => {} };
    }
    throw error;
  }
}

/**
 * Grades one student: a submission that cannot be graded is an error result, and an
 * infrastructure failure is retried once, after the sandbox has recovered (a Docker daemon that
 * restarts is waited for), before it becomes one. A `previous` result for the same submission hash
 * is returned as it is (`reused`), so --resume unpacks each entry only once.
 */
export async function gradeEntry(opts: {
  lab: Lab;
  root: string;
  entry: SubmissionEntry;
  sandbox: Sandbox;
  limits?: Partial<LabLimits>;
  signal?: AbortSignal;
  previous?: Results;
  /** Says what happens when the sandbox fails (a retry, a wait for the daemon). */
  onNotice?: (text: string) => void;
}): Promise<{ results: Results; reused: boolean }> {
  const results = await gradeOpened(opts);
  return { results: results ?? opts.previous!, reused: results === undefined };
}

/** Rejects with the signal's reason once it aborts (Ctrl-C must not wait out a recovery). */
function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** The grading behind gradeEntry; undefined means `previous` still holds. */
async function gradeOpened(opts: Parameters<typeof gradeEntry>[0]): Promise<Results | undefined> {
  const { lab, root, entry, sandbox } = opts;
  const notice = opts.onNotice ?? (() => {});
  const { submission, cleanup } = await openSubmission(lab, entry);
  try {
    if (opts.previous && submission.sha256 && submission.sha256 === opts.previous.submission.sha256) return undefined;
    if (submission.problems.length > 0) {
      return errorResults(lab, root, entry.path, submission.sha256, `The submission could not be graded: ${submission.problems.join('; ')}`, sandbox.kind);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await runChecks({ lab, root, files: submission.files, source: entry.path, sha256: submission.sha256, sandbox, limits: opts.limits, signal: opts.signal });
      } catch (error) {
        if (opts.signal?.aborted || !(error instanceof SandboxError)) throw error;
        notice(`${entry.student}: ${error.message}${attempt === 1 ? ' (grading again once the sandbox answers)' : ''}`);
        // Wait for the daemon before the retry (an instant retry during a restart fails too), and clean up.
        await Promise.race([sandbox.recover?.(notice), untilAborted(opts.signal)]);
        if (attempt >= 2) {
          const failure = `Infrastructure failure, not the student's fault: the sandbox failed twice (${error.message}). Grade again with --resume.`;
          notice(`${entry.student}: recorded as an error (not the student's fault)`);
          return errorResults(lab, root, entry.path, submission.sha256, failure, sandbox.kind, error.message);
        }
      }
    }
  } finally {
    cleanup();
  }
}
