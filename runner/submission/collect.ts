import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, opendirSync, openSync, readSync, statSync, type Dirent } from 'node:fs';
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

/**
 * Picks the folder holding the lab's files: the folder itself, or <dir>/labs/<lab> for a repo copy.
 * A symlink on that path is never followed: it could point at the course's own solution or at
 * another student's folder.
 */
export function submissionBase(lab: Lab, dir: string): { base: string; problem?: string } {
  for (const part of ['labs', `labs/${lab.name}`]) {
    let st;
    try {
      st = lstatSync(join(dir, part));
    } catch {
      return { base: dir };
    }
    if (st.isSymbolicLink()) return { base: dir, problem: `${part} is a symbolic link; submit the folder itself.` };
    if (!st.isDirectory()) return { base: dir };
  }
  return { base: join(dir, 'labs', lab.name) };
}

/** A folder's entries with their names as bytes, read a few at a time: a huge folder costs no memory. */
function* entriesOf(abs: string): Generator<Dirent<Buffer>> {
  const dir = opendirSync(abs, { encoding: 'buffer' as BufferEncoding });
  try {
    for (let entry; (entry = dir.readSync()); ) yield entry as unknown as Dirent<Buffer>;
  } finally {
    dir.closeSync();
  }
}

/** The name of a folder entry as text, or undefined when its bytes are not valid UTF-8. */
function utf8Name(entry: Dirent<Buffer>): string | undefined {
  const name = entry.name.toString('utf8');
  return Buffer.from(name, 'utf8').equals(entry.name) ? name : undefined;
}

/**
 * Reads an editable file without following a symlink swapped in after the walk looked at it, and
 * never more than `limit` bytes: what it returns is what was checked.
 */
function readRegular(path: string, limit: number): Buffer | string {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return 'is not a regular file';
    if (st.size > limit) return `is ${(st.size / 1024 / 1024).toFixed(1)} MB; each file may be at most ${limit / 1024 / 1024} MB`;
    const buf = Buffer.alloc(st.size);
    let got = 0;
    for (let n = 1; got < buf.length && n > 0; got += n) n = readSync(fd, buf, got, buf.length - got, got);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
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

/** The starter's editable files by file name: each name with the paths that have it. */
export function starterNames(lab: Lab): Map<string, string[]> {
  const names = new Map<string, string[]>();
  for (const rel of collectSubmission(lab, lab.dir).files.keys()) {
    const name = rel.split('/').pop()!;
    names.set(name, [...(names.get(name) ?? []), rel]);
  }
  return names;
}

/** The starter's editable files by file name, for the names that only one of them has. */
function namesOf(lab: Lab): Map<string, string> {
  return new Map([...starterNames(lab)].filter(([, paths]) => paths.length === 1).map(([name, [rel]]) => [name, rel]));
}

/**
 * Takes only the files the manifest lets the learner edit. Everything else (tests, configs,
 * checks, fixtures) comes from the course's own copy, so a learner cannot change how they are tested.
 * Whatever is on disk, this returns problems rather than throwing: a symlink, a name that is not
 * UTF-8, an unreadable folder or too many entries make the submission ungradable, never the run.
 */
export function collectSubmission(lab: Lab, dir: string, source = dir, opts: { byName?: boolean } = {}): Submission {
  const problems: string[] = [];
  // Uploads that keep only file names (Gradescope's, PrairieLearn's): a top-level file named like
  // exactly one of the starter's editable files stands for it, unless that path was submitted too.
  const byName = opts.byName ? namesOf(lab) : new Map<string, string>();
  const flat = new Map<string, { path: string; entry: Dirent<Buffer> }>();
  const files = new Map<string, Buffer>();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return { source, base: dir, files, sha256: hashFiles(files), problems: [`${dir} is not a folder.`] };
  }
  const { base, problem } = submissionBase(lab, dir);
  if (problem) return { source, base, files, sha256: hashFiles(files), problems: [problem] };
  const editable = picomatch(lab.manifest.files, { dot: false });
  const underEditable = (rel: string) => lab.manifest.files.some((glob) => glob.startsWith(`${rel}/`));
  const once = new Set<string>();
  const problemOnce = (key: string, text: string) => {
    if (!once.has(key)) problems.push(text);
    once.add(key);
  };
  let seen = 0;
  let total = 0;
  const walk = (abs: string) => {
    const relDir = relative(base, abs).split('\\').join('/');
    try {
      for (const entry of entriesOf(abs)) {
        if (++seen > SUBMISSION_LIMITS.walkEntries) {
          problemOnce('walk', `the submission holds more than ${SUBMISSION_LIMITS.walkEntries} entries; remove build output and dependencies.`);
          return;
        }
        const name = utf8Name(entry);
        if (name === undefined) {
          problemOnce('utf8', `the name of ${relDir ? `${relDir}/` : ''}${entry.name.toString('utf8')} is not valid UTF-8 (shown with \uFFFD); rename it or remove it.`);
          continue;
        }
        take(join(abs, name), relDir ? `${relDir}/${name}` : name, entry);
      }
    } catch (error) {
      problems.push(`${relDir || '.'} could not be read (${(error as NodeJS.ErrnoException).code ?? error}).`);
    }
  };
  const take = (path: string, rel: string, entry: Dirent<Buffer>) => {
    if (entry.isDirectory()) {
      if (!['node_modules', '.git', '.ailab'].includes(entry.name.toString())) walk(path);
    } else if (entry.isSymbolicLink() && underEditable(rel)) {
      problems.push(`${rel} is a symbolic link; submit the folder itself.`);
    } else if (!editable(rel) && !rel.includes('/') && byName.has(rel)) {
      flat.set(byName.get(rel)!, { path, entry });
    } else if (!editable(rel)) {
      // not the learner's to edit: the course's own copy is used
    } else if (entry.isSymbolicLink()) {
      problems.push(`${rel} is a symbolic link; submit the file itself.`);
    } else if (!entry.isFile()) {
      problems.push(`${rel} is not a regular file.`);
    } else if (files.size >= SUBMISSION_LIMITS.files) {
      problemOnce('files', `more than ${SUBMISSION_LIMITS.files} editable files.`);
    } else if (total > SUBMISSION_LIMITS.totalBytes) {
      // over the total cap already: reading more would only cost memory
    } else {
      let content: Buffer | string;
      try {
        content = readRegular(path, SUBMISSION_LIMITS.fileBytes);
      } catch (error) {
        content = `could not be read (${(error as NodeJS.ErrnoException).code ?? error})`;
      }
      if (typeof content === 'string') problems.push(`${rel} ${content}.`);
      else {
        total += content.length;
        files.set(rel, content);
      }
    }
  };
  walk(base);
  for (const [rel, { path, entry }] of flat) if (!files.has(rel)) take(path, rel, entry);
  if (total > SUBMISSION_LIMITS.totalBytes) problems.push(`the editable files add up to more than ${SUBMISSION_LIMITS.totalBytes / 1024 / 1024} MB, the cap.`);
  for (const pattern of once.has('walk') ? [] : lab.manifest.files) {
    // a walk cut short proves nothing missing
    if (isLiteral(pattern) && !files.has(pattern) && !problems.some((p) => p.startsWith(`${pattern} `))) {
      problems.push(`${pattern} is missing.`);
    }
  }
  return { source, base, files, sha256: hashFiles(files), problems };
}
