import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import type { Lab } from '../lab/load.ts';

/** Caps on what a submission may hold. */
export const SUBMISSION_LIMITS = { fileBytes: 1024 * 1024, totalBytes: 8 * 1024 * 1024, files: 500, walkEntries: 20_000 };

/** The editable files taken from a submission, with a hash that identifies them. */
export interface Submission {
  source: string;
  base: string;
  files: Map<string, Buffer>;
  sha256: string;
  /** Why the submission cannot be graded as given; empty when it can. */
  problems: string[];
}

/** Whether a `files:` entry names one literal file rather than a glob. */
function isLiteral(pattern: string): boolean {
  return !/[*?[\]{}!()]/.test(pattern);
}

/** Picks the folder holding the lab's files: the folder itself, or <dir>/labs/<lab> for a repo copy. */
export function submissionBase(lab: Lab, dir: string): string {
  const nested = join(dir, 'labs', lab.name);
  return existsSync(nested) ? nested : dir;
}

/** Hashes the submission's files in a stable order. */
export function hashFiles(files: Map<string, Buffer>): string {
  const h = createHash('sha256');
  for (const path of [...files.keys()].sort()) {
    h.update(`${path}\0${files.get(path)!.length}\0`);
    h.update(files.get(path)!);
  }
  return h.digest('hex');
}

/**
 * Takes only the files the manifest lets the learner edit. Everything else (tests, configs,
 * checks, fixtures) comes from the course's own copy, so a learner cannot change how they are tested.
 */
export function collectSubmission(lab: Lab, dir: string, source = dir): Submission {
  const problems: string[] = [];
  const files = new Map<string, Buffer>();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { source, base: dir, files, sha256: hashFiles(files), problems: [`${dir} is not a folder.`] };
  }
  const base = submissionBase(lab, dir);
  const editable = picomatch(lab.manifest.files, { dot: false });
  let seen = 0;
  let total = 0;
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (++seen > SUBMISSION_LIMITS.walkEntries) {
        if (seen === SUBMISSION_LIMITS.walkEntries + 1) problems.push(`the submission holds more than ${SUBMISSION_LIMITS.walkEntries} entries; remove build output and dependencies.`);
        return;
      }
      const path = join(abs, entry.name);
      const rel = relative(base, path).split('\\').join('/');
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name === '.git' || entry.name === '.ailab') continue;
        walk(path);
        continue;
      }
      if (!editable(rel)) continue;
      const st = lstatSync(path);
      if (st.isSymbolicLink()) {
        problems.push(`${rel} is a symbolic link; submit the file itself.`);
      } else if (!st.isFile()) {
        problems.push(`${rel} is not a regular file.`);
      } else if (st.size > SUBMISSION_LIMITS.fileBytes) {
        problems.push(`${rel} is ${(st.size / 1024 / 1024).toFixed(1)} MB; each file may be at most ${SUBMISSION_LIMITS.fileBytes / 1024 / 1024} MB.`);
      } else if (files.size >= SUBMISSION_LIMITS.files) {
        if (files.size === SUBMISSION_LIMITS.files) problems.push(`more than ${SUBMISSION_LIMITS.files} editable files.`);
      } else {
        total += st.size;
        files.set(rel, readFileSync(path));
      }
    }
  };
  walk(base);
  if (total > SUBMISSION_LIMITS.totalBytes) problems.push(`the editable files add up to ${(total / 1024 / 1024).toFixed(1)} MB; the cap is ${SUBMISSION_LIMITS.totalBytes / 1024 / 1024} MB.`);
  for (const pattern of lab.manifest.files) {
    if (isLiteral(pattern) && !files.has(pattern) && !problems.some((p) => p.startsWith(`${pattern} `))) {
      problems.push(`${pattern} is missing.`);
    }
  }
  return { source, base, files, sha256: hashFiles(files), problems };
}
