import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
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

/** An entry of the submissions folder that is not graded, and why. */
export interface SkippedEntry {
  name: string;
  reason: string;
}

/** Why a file in the submissions folder is not a submission. */
function whySkipped(name: string): string {
  if (/\.(rar|7z|tar|tar\.bz2|tar\.xz|gz|bz2|xz)$/i.test(name)) return `a ${name.slice(name.indexOf('.'))} archive: only .zip, .tar.gz and .tgz are read; ask for one of those`;
  if (/\.(m?[jt]sx?)$/i.test(name)) return 'a loose source file: put it in a folder (or an archive) named after the student';
  return 'not a folder, a git checkout, a .zip or a .tar.gz';
}

/**
 * The roster id an LMS download name stands for: Canvas names files
 * `<name>_[late_]<user id>_<submission id>_<file>` (the user id is the roster's ID column), and
 * Moodle names folders `<Full Name>_<participant id>_assignsubmission_file_` (matched by the
 * roster's First name and Last name).
 */
export function lmsStudent(name: string, roster: Roster | undefined): string | undefined {
  if (!roster) return undefined;
  const canvas = /^[^_]+_(?:late_)?(\d+)_\d+_/.exec(name);
  if (canvas && roster.layout === 'canvas') {
    for (const [id, row] of roster.details) if (row.ID === canvas[1]) return id;
  }
  const moodle = /^(.+)_\d+_assignsubmission_[a-z]+_?/i.exec(name);
  if (moodle && roster.layout === 'moodle') {
    const full = moodle[1].trim().toLowerCase();
    for (const [id, row] of roster.details) {
      const first = row['First name'] ?? '';
      const last = row['Last name'] ?? row.Surname ?? '';
      if (`${first} ${last}`.trim().toLowerCase() === full) return id;
    }
  }
  return undefined;
}

/**
 * Lists one entry per student: sub-folders, git checkouts, .zip and .tar.gz archives, named by
 * the roster id their LMS download name maps to, or by their own name. Every other entry is
 * listed in `skipped` with the reason, never dropped silently.
 */
export function discoverSubmissions(dir: string, roster?: Roster): { entries: SubmissionEntry[]; skipped: SkippedEntry[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new SubmissionError(`The submissions folder ${dir} does not exist.`, 'Pass a folder holding one sub-folder or archive per student.');
  }
  const entries: SubmissionEntry[] = [];
  const skipped: SkippedEntry[] = [];
  const seen = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || e.name === '__MACOSX') continue;
    const path = join(dir, e.name);
    let kind: SubmissionEntry['kind'] | undefined;
    if (e.isDirectory()) kind = existsSync(join(path, '.git')) ? 'git' : 'folder';
    else if (e.isFile() && /\.zip$/i.test(e.name)) kind = 'zip';
    else if (e.isFile() && /\.(tar\.gz|tgz)$/i.test(e.name)) kind = 'tar.gz';
    if (!kind) {
      skipped.push({ name: e.name, reason: e.isSymbolicLink() ? 'a symbolic link: submit the folder or archive itself' : whySkipped(e.name) });
      continue;
    }
    const student = lmsStudent(e.name, roster) ?? studentId(e.name);
    if (seen.has(student)) throw new SubmissionError(`Two entries map to the student id "${student}": ${seen.get(student)} and ${e.name}.`, 'Keep one entry per student.');
    seen.set(student, e.name);
    entries.push({ student, path, kind });
  }
  return { entries, skipped };
}

/** A class roster: the student ids, and where in the file they came from. */
export interface Roster {
  ids: string[];
  /** The id column's header, or undefined for a file without a header (first column). */
  column?: string;
  /** The export the header was recognised as. */
  layout: 'canvas' | 'moodle' | 'generic' | 'no header';
  /** Each student's row, by header (empty without a header): the LMS exports copy their columns. */
  details: Map<string, Record<string, string>>;
}

/** Id columns in the order they are looked for, per export layout (headers compared case-insensitively). */
const LAYOUTS: { layout: Roster['layout']; marker: string[]; columns: string[] }[] = [
  // Canvas's gradebook export: Student, ID, SIS User ID, SIS Login ID, Section, <assignments…>
  { layout: 'canvas', marker: ['student', 'sis user id', 'sis login id'], columns: ['sis login id', 'sis user id', 'id'] },
  // Moodle's grades and participants exports: First name, Last name/Surname, ID number, …, Email address
  { layout: 'moodle', marker: ['first name', 'email address'], columns: ['username', 'email address', 'id number'] },
  { layout: 'generic', marker: [], columns: ['id', 'student id', 'student_id', 'login', 'username', 'user', 'student', 'email'] },
];

/** Header cells that mark a first row as a header rather than a student. */
const HEADER_WORDS = new Set(['id', 'student', 'student id', 'student_id', 'login', 'username', 'user', 'name', 'email', 'email address', 'first name', 'sis login id']);

/**
 * Reads a roster CSV with csv-parse (quoted fields, embedded commas, a BOM, CRLF): the ids come
 * from `idColumn` when given, else from the column the export layout uses (Canvas: SIS Login ID;
 * Moodle: Username, else Email address, else ID number; otherwise a column named id, login,
 * username, student or email), else, in a file without a header, from the first column.
 */
export function readRoster(file: string, idColumn?: string): Roster {
  if (!existsSync(file)) throw new SubmissionError(`The roster ${file} does not exist.`, 'Pass the path of a CSV file with one student per row.');
  let rows: string[][];
  try {
    rows = parse(readFileSync(file), { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (error) {
    throw new SubmissionError(`The roster ${file} is not valid CSV: ${(error as Error).message}`, 'Export it again from the gradebook, or fix the line shown (quotes must be closed).');
  }
  const header = (rows[0] ?? []).map((h) => h.toLowerCase());
  const hasHeader = idColumn !== undefined || header.some((h) => HEADER_WORDS.has(h));
  let col = 0;
  let layout: Roster['layout'] = 'no header';
  if (idColumn !== undefined) {
    col = header.indexOf(idColumn.trim().toLowerCase());
    if (col < 0) throw new SubmissionError(`The roster ${file} has no column "${idColumn}".`, `Its columns are: ${(rows[0] ?? []).map((h) => `"${h}"`).join(', ') || '(none)'}. Pass one of them to --roster-id-column.`);
    layout = LAYOUTS.find((l) => l.marker.length > 0 && l.marker.every((m) => header.includes(m)))?.layout ?? 'generic';
  } else if (hasHeader) {
    for (const candidate of LAYOUTS) {
      if (!candidate.marker.every((m) => header.includes(m))) continue;
      const found = candidate.columns.map((name) => header.indexOf(name)).find((i) => i >= 0);
      if (found === undefined) continue;
      col = found;
      layout = candidate.layout;
      break;
    }
    if (layout === 'no header') {
      throw new SubmissionError(`The roster ${file} has a header but no id column this tool knows.`, `Its columns are: ${(rows[0] ?? []).map((h) => `"${h}"`).join(', ')}. Name the one that holds the ids that match the submission names with --roster-id-column.`);
    }
  }
  const body = rows.slice(hasHeader ? 1 : 0).filter((row) => {
    // Canvas puts a "Points Possible" row (and sometimes a muted-assignments row) under its header.
    const first = (row[0] ?? '').trim();
    return !(layout === 'canvas' && (/^points possible$/i.test(first) || first === ''));
  });
  const details = new Map<string, Record<string, string>>();
  for (const row of body) {
    const id = (row[col] ?? '').trim();
    if (id && hasHeader && !details.has(studentId(id))) details.set(studentId(id), Object.fromEntries(rows[0].map((h, i) => [h, row[i] ?? ''])));
  }
  const ids = [...new Set(body.map((row) => (row[col] ?? '').trim()).filter(Boolean).map(studentId))];
  return { ids, column: hasHeader ? rows[0][col] : undefined, layout, details };
}
