import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFilesAtomic } from '../core/atomic.ts';
import type { Lab } from '../lab/load.ts';
import { xmlEscape } from '../report/junit.ts';
import { renderGradescope } from '../report/platforms.ts';
import { failedToCompile, notCompiling, renderCompileErrors } from '../results/compile.ts';
import type { CheckResult, Results } from '../results/schema.ts';
import type { ClassSimilarity } from '../similarity/class.ts';
import type { Roster, SkippedEntry } from './discover.ts';
import { guardWrite } from './output-errors.ts';
import { reportHtml } from './report-html.ts';

/** One graded student, or a roster student with no submission (results undefined). */
export interface GradeRow {
  student: string;
  results?: Results;
}

/** Quotes a CSV field when it needs it (RFC 4180). */
function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** grades.csv: one row per student, the total, a column per check and the run's notes (integrity,
 * review flags, imitated frames); imports into spreadsheets and LMSs. */
export function gradesCsv(lab: Lab, rows: GradeRow[]): string {
  const header = ['student', 'status', 'score', 'max_score', 'percent', ...lab.checks.map((c) => c.id), 'notes'];
  const lines = [header.map(csvField).join(',')];
  for (const { student, results } of rows) {
    if (!results) {
      lines.push([student, 'no-submission', 0, lab.maxScore, 0, ...lab.checks.map(() => 0), ''].map(csvField).join(','));
      continue;
    }
    const points = new Map(results.checks.map((c) => [c.id, c.points]));
    const pct = results.maxScore > 0 ? Math.round((1000 * results.score) / results.maxScore) / 10 : 0;
    lines.push([student, results.status, results.score, results.maxScore, pct, ...lab.checks.map((c) => points.get(c.id) ?? 0), results.problems.join(' | ')].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** What the LMS exports need besides the rows: the roster's own columns, and what a missing grade is. */
export interface LmsOptions {
  roster?: Roster;
  /** Write 0 for a student with no submission (or not graded); blank otherwise, so the LMS shows it as missing. */
  missingAsZero?: boolean;
  /** Entries of the submissions folder that were not graded, for grades.json. */
  skipped?: SkippedEntry[];
}

/** A student's grade for an LMS: the points, or blank (or 0 with missingAsZero) when there is none to give. */
function lmsGrade(row: GradeRow, opts: LmsOptions): string {
  if (row.results && !row.results.sandbox.failure) return String(row.results.score);
  return opts.missingAsZero ? '0' : '';
}

/**
 * canvas.csv, in Canvas's gradebook import layout: Student, ID, SIS User ID, SIS Login ID,
 * Section, then one column for the lab (a name Canvas matches to an assignment, or creates). The
 * identity columns come from a Canvas roster when one was given; otherwise SIS Login ID is the
 * student id.
 */
export function canvasCsv(lab: Lab, rows: GradeRow[], opts: LmsOptions = {}): string {
  const identity = ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section'];
  const lines = [[...identity, `${lab.manifest.id} ${lab.manifest.title}`].map(csvField).join(',')];
  lines.push([...identity.map((h, i) => (i === 0 ? 'Points Possible' : '')), String(lab.maxScore)].map(csvField).join(','));
  for (const row of rows) {
    const known = opts.roster?.layout === 'canvas' ? opts.roster.details.get(row.student) : undefined;
    const cells = identity.map((h) => known?.[h] ?? (h === 'SIS Login ID' ? row.student : ''));
    lines.push([...cells, lmsGrade(row, opts)].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * moodle.csv, for Moodle's grade import (CSV): one identifying column, which the instructor maps at
 * import, and the grade. The identifier is the Moodle roster's own id column when one was given
 * (Username, Email address or ID number), else Username, holding the student id.
 */
export function moodleCsv(lab: Lab, rows: GradeRow[], opts: LmsOptions = {}): string {
  const column = opts.roster?.layout === 'moodle' && opts.roster.column ? opts.roster.column : 'Username';
  const lines = [[column, `${lab.manifest.id} ${lab.manifest.title}`].map(csvField).join(',')];
  for (const row of rows) lines.push([opts.roster?.layout === 'moodle' ? (opts.roster.details.get(row.student)?.[column] ?? row.student) : row.student, lmsGrade(row, opts)].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** grades.json: the same table as data. */
export function gradesJson(lab: Lab, rows: GradeRow[], skipped: SkippedEntry[] = []): string {
  return `${JSON.stringify(
    {
      lab: { id: lab.manifest.id, title: lab.manifest.title, maxScore: lab.maxScore },
      // Entries of the submissions folder that were not graded, and why.
      skipped,
      students: rows.map(({ student, results }) => ({
        student,
        status: results?.status ?? 'no-submission',
        score: results?.score ?? 0,
        maxScore: lab.maxScore,
        sha256: results?.submission.sha256,
        checks: Object.fromEntries(lab.checks.map((c) => [c.id, results?.checks.find((r) => r.id === c.id)?.status ?? 'missing'])),
      })),
    },
    null,
    2,
  )}\n`;
}

/**
 * junit.xml: one testsuite per student (one testcase per check) in the layout CI tools read
 * (Jenkins' junit-10 schema): `failure` for a failed assertion, `error` for a check that errored,
 * timed out or gave no result, `skipped` for one that did not run; `tests`, `failures`, `errors`,
 * `skipped`, `time` and `timestamp` on each suite; the score, each check's points and the run's
 * identity (submission hash, lab version) as the suite's properties.
 */
export function gradesJunit(lab: Lab, rows: GradeRow[]): string {
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const count = (rs: Results | undefined, kind: 'failure' | 'error' | 'skipped') => (rs ? rs.checks.filter((c) => junitKind(c.status) === kind).length : kind === 'error' ? lab.checks.length : 0);
  const total = rows.reduce((s, r) => s + (r.results?.sandbox.durationMs ?? 0), 0);
  const sum = (kind: 'failure' | 'error' | 'skipped') => rows.reduce((s, r) => s + count(r.results, kind), 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(lab.manifest.id)}" tests="${rows.length * lab.checks.length}" failures="${sum('failure')}" errors="${sum('error')}" time="${secs(total)}">`,
  ];
  for (const { student, results } of rows) {
    const attrs = `name="${xmlEscape(student)}" tests="${lab.checks.length}" failures="${count(results, 'failure')}" errors="${count(results, 'error')}" skipped="${count(results, 'skipped')}" time="${secs(results?.sandbox.durationMs ?? 0)}"${results ? ` timestamp="${xmlEscape(results.finishedAt)}"` : ''}`;
    out.push(`  <testsuite ${attrs}>`, '    <properties>');
    const props: [string, string | number][] = results
      ? [['status', results.status], ['score', results.score], ['max_score', results.maxScore], ['submission_sha256', results.submission.sha256], ['lab_version', results.lab.version], ['runner_version', results.runner.version]]
      : [['status', 'no-submission'], ['score', 0], ['max_score', lab.maxScore]];
    for (const c of lab.checks) props.push([`points.${c.id}`, `${results?.checks.find((x) => x.id === c.id)?.points ?? 0}/${c.points}`]);
    for (const [name, value] of props) out.push(`      <property name="${xmlEscape(name)}" value="${xmlEscape(String(value))}"/>`);
    out.push('    </properties>');
    for (const c of lab.checks) {
      const r = results?.checks.find((x) => x.id === c.id);
      const open = `    <testcase classname="${xmlEscape(`${lab.manifest.id}.${student}`)}" name="${xmlEscape(c.id)}" time="${secs(r?.durationMs ?? 0)}"`;
      if (r?.status === 'pass') {
        out.push(`${open}/>`);
        continue;
      }
      const kind = r ? junitKind(r.status) : 'error';
      const message = r ? `${r.status} (${r.points}/${r.maxPoints} points)` : `no submission (0/${c.points} points)`;
      out.push(`${open}><${kind} type="${xmlEscape(r?.status ?? 'no-submission')}" message="${xmlEscape(message)}">${xmlEscape(r?.message ?? '')}</${kind}></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** The JUnit element a check status becomes: an assertion failure, an error, or skipped. */
function junitKind(status: CheckResult['status']): 'pass' | 'failure' | 'error' | 'skipped' {
  return status === 'pass' ? 'pass' : status === 'fail' ? 'failure' : status === 'skipped' ? 'skipped' : 'error';
}

/** A result's standing in words: what the score means, not the run's status code. */
export function standing(results: Results): string {
  if (results.sandbox.failure) return 'not graded yet: the sandbox failed (not your fault), so this will be graded again';
  const score = `${results.score}/${results.maxScore}`;
  if (results.compile?.length) return `${score}: ${notCompiling(results.compile)}`;
  const failing = results.checks.filter((c) => c.status !== 'pass' && c.status !== 'skipped').length;
  return failing === 0 ? `${score}, every check passes` : `${score}, ${failing} check${failing === 1 ? '' : 's'} failing`;
}

/**
 * feedback/<student>.md, fit to send: what the score means, the run it came from (submission hash,
 * lab version, time graded) so an appeal can be matched to it, each distinct cause once with the
 * checks it cost, then every check. Never any test source.
 */
export function feedbackMarkdown(student: string, results: Results): string {
  const lines = [
    `# ${results.lab.id} feedback for ${student}`,
    '',
    `**${standing(results)}**`,
    '',
    `Graded ${results.finishedAt} · submission \`${results.submission.sha256.slice(0, 16)}\` · lab version \`${results.lab.version}\` · runner ${results.runner.version}`,
    '',
  ];
  if (results.compile?.length) {
    lines.push('## Your code does not compile', '', '```text', ...renderCompileErrors(results), '```', '');
  }
  // Identical causes once: a module that failed to load, a syntax error, a hang can cost many checks.
  const failing = results.checks.filter((c) => c.status !== 'pass' && c.status !== 'skipped' && !failedToCompile(results, c));
  const causes = new Map<string, CheckResult[]>();
  for (const c of failing) causes.set(`${c.status}\n${c.message ?? ''}`, [...(causes.get(`${c.status}\n${c.message ?? ''}`) ?? []), c]);
  if (causes.size > 0) lines.push('## What to look at', '');
  for (const checks of causes.values()) {
    const first = checks[0];
    const lost = checks.reduce((s, c) => s + c.maxPoints, 0);
    lines.push(`### ${checks.length === 1 ? `${first.id}: ${first.title}` : `${checks.length} checks: ${checks.map((c) => c.id).join(', ')}`} (${first.status}, ${lost} point${lost === 1 ? '' : 's'})`, '');
    if (first.message) lines.push('```text', ...first.message.split('\n').slice(0, 12), '```', '');
    for (const hint of [...new Set(checks.map((c) => c.hint).filter(Boolean))].slice(0, 3)) lines.push(`Hint: ${hint}`, '');
  }
  lines.push('## Every check', '', '| check | task | points | status |', '| --- | --- | --- | --- |');
  for (const c of results.checks) lines.push(`| ${c.status === 'pass' ? '✅' : '❌'} ${c.id}${c.visibility === 'hidden' ? ' (hidden)' : ''} | ${c.task} | ${c.points}/${c.maxPoints} | ${c.status} |`);
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/**
 * Writes every export into the output folder as one change: all files are written to temp files
 * first and renamed into place only when every one is complete, so a full disk leaves the previous
 * gradebook (or none) and no temp files.
 */
export function writeExports(out: string, lab: Lab, rows: GradeRow[], lms: LmsOptions = {}, leads?: ClassSimilarity): void {
  const files: [string, string][] = [
    [join(out, 'grades.csv'), gradesCsv(lab, rows)],
    [join(out, 'canvas.csv'), canvasCsv(lab, rows, lms)],
    [join(out, 'moodle.csv'), moodleCsv(lab, rows, lms)],
    [join(out, 'grades.json'), gradesJson(lab, rows, lms.skipped)],
    [join(out, 'junit.xml'), gradesJunit(lab, rows)],
    [join(out, 'report.html'), reportHtml(lab, rows, leads)],
  ];
  if (leads) files.push([join(out, 'similarity.json'), `${JSON.stringify(leads.similarity, null, 2)}\n`]);
  for (const { student, results } of rows) {
    if (!results) continue;
    files.push([join(out, 'gradescope', student, 'results.json'), renderGradescope(results)]);
    files.push([join(out, 'feedback', `${student}.md`), feedbackMarkdown(student, results)]);
  }
  guardWrite(out, 'the gradebook (grades.csv, canvas.csv, moodle.csv, grades.json, junit.xml, report.html, similarity.json, gradescope/, feedback/)', () => {
    for (const { student, results } of rows) if (results) mkdirSync(join(out, 'gradescope', student), { recursive: true });
    mkdirSync(join(out, 'feedback'), { recursive: true });
    writeFilesAtomic(files);
  });
}
