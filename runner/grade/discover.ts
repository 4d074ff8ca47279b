import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SubmissionError } from '../core/errors.ts';

/** One student's entry in the submissions folder. */
export interface SubmissionEntry {
  student: string;
  path: string;
  kind: 'folder' | 'git' | 'zip' | 'tar.gz';
}

const ARCHIVE = /\.(zip|tar\.gz|tgz)$/i;

/** A student id from an entry name: the name without its archive extension, made file-safe. */
export function studentId(name: string): string {
  return name.replace(ARCHIVE, '').replace(/[^A-Za-z0-9._@-]+/g, '_').replace(/^\.+/, '_') || '_';
}

/** Lists one entry per student: sub-folders, git checkouts, .zip and .tar.gz archives. */
export function discoverSubmissions(dir: string): SubmissionEntry[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SubmissionError(`The submissions folder ${dir} does not exist.`, 'Pass a folder holding one sub-folder or archive per student.');
  }
  const entries: SubmissionEntry[] = [];
  const seen = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    let kind: SubmissionEntry['kind'] | undefined;
    if (e.isDirectory()) kind = existsSync(join(path, '.git')) ? 'git' : 'folder';
    else if (e.isFile() && /\.zip$/i.test(e.name)) kind = 'zip';
    else if (e.isFile() && /\.(tar\.gz|tgz)$/i.test(e.name)) kind = 'tar.gz';
    if (!kind) continue;
    const student = studentId(e.name);
    if (seen.has(student)) throw new SubmissionError(`Two entries map to the student id "${student}": ${seen.get(student)} and ${e.name}.`, 'Keep one entry per student.');
    seen.set(student, e.name);
    entries.push({ student, path, kind });
  }
  return entries;
}

/** Reads a roster CSV: the first column (or a column named id/student/login) holds student ids. */
export function readRoster(file: string): string[] {
  if (!existsSync(file)) throw new SubmissionError(`The roster ${file} does not exist.`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0]?.split(',').map((h) => h.trim().toLowerCase()) ?? [];
  const col = Math.max(0, header.findIndex((h) => ['id', 'student', 'login', 'username'].includes(h)));
  const hasHeader = header.some((h) => ['id', 'student', 'login', 'username', 'name', 'email'].includes(h));
  return lines.slice(hasHeader ? 1 : 0).map((l) => studentId(l.split(',')[col]?.trim().replace(/^"|"$/g, '') ?? ''));
}
