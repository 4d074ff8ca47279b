import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFilesAtomic } from '../core/atomic.ts';
import type { Lab } from '../lab/load.ts';
import { xmlEscape } from '../report/junit.ts';
import type { Results } from '../results/schema.ts';
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

/** grades.json: the same table as data. */
export function gradesJson(lab: Lab, rows: GradeRow[]): string {
  return `${JSON.stringify(
    {
      lab: { id: lab.manifest.id, title: lab.manifest.title, maxScore: lab.maxScore },
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

/** junit.xml: a testsuite per student, a testcase per check. */
export function gradesJunit(lab: Lab, rows: GradeRow[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xmlEscape(lab.manifest.id)}">`];
  for (const { student, results } of rows) {
    const checks = results?.checks ?? [];
    const failed = checks.filter((c) => c.status !== 'pass').length;
    out.push(`  <testsuite name="${xmlEscape(student)}" tests="${lab.checks.length}" failures="${results ? failed : lab.checks.length}">`);
    for (const c of lab.checks) {
      const r = checks.find((x) => x.id === c.id);
      const open = `    <testcase classname="${xmlEscape(`${lab.manifest.id}.${student}`)}" name="${xmlEscape(c.id)}"`;
      if (r?.status === 'pass') out.push(`${open}/>`);
      else out.push(`${open}><failure message="${xmlEscape(r?.status ?? 'no submission')}">${xmlEscape(r?.message ?? '')}</failure></testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** Gradescope autograder results.json; hidden checks stay hidden until grades are published. */
export function gradescopeResults(results: Results): string {
  return `${JSON.stringify(
    {
      score: results.score,
      execution_time: Math.round(results.sandbox.durationMs / 1000),
      output: `${results.lab.id}: ${results.score}/${results.maxScore}`,
      visibility: 'visible',
      stdout_visibility: 'hidden',
      tests: results.checks.map((c) => ({
        name: `${c.id}: ${c.title}`,
        number: c.id,
        score: c.points,
        max_score: c.maxPoints,
        status: c.status === 'pass' ? 'passed' : 'failed',
        output: c.status === 'pass' ? '' : [c.message, c.hint ? `Hint: ${c.hint}` : ''].filter(Boolean).join('\n\n'),
        visibility: c.visibility === 'hidden' ? 'after_published' : 'visible',
      })),
    },
    null,
    2,
  )}\n`;
}

/** feedback/<student>.md: each failing check's message and hint; never any test source. */
export function feedbackMarkdown(student: string, results: Results): string {
  const lines = [`# ${results.lab.id} feedback for ${student}`, '', `**Score: ${results.score}/${results.maxScore}** (${results.status})`, ''];
  for (const task of results.tasks) {
    lines.push(`## ${task.title}: ${task.score}/${task.maxScore}`, '');
    for (const c of results.checks.filter((k) => k.task === task.id)) {
      lines.push(`- ${c.status === 'pass' ? '✅' : '❌'} **${c.id}** ${c.title} (${c.points}/${c.maxPoints})${c.visibility === 'hidden' ? ' _hidden check_' : ''}`);
      if (c.status !== 'pass') {
        if (c.message) lines.push('', '  ```text', ...c.message.split('\n').slice(0, 12).map((l) => `  ${l}`), '  ```');
        if (c.hint) lines.push(`  Hint: ${c.hint}`);
        lines.push('');
      }
    }
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/**
 * Writes every export into the output folder as one change: all files are written to temp files
 * first and renamed into place only when every one is complete, so a full disk leaves the previous
 * gradebook (or none) and no temp files.
 */
export function writeExports(out: string, lab: Lab, rows: GradeRow[]): void {
  const files: [string, string][] = [
    [join(out, 'grades.csv'), gradesCsv(lab, rows)],
    [join(out, 'grades.json'), gradesJson(lab, rows)],
    [join(out, 'junit.xml'), gradesJunit(lab, rows)],
    [join(out, 'report.html'), reportHtml(lab, rows)],
  ];
  for (const { student, results } of rows) {
    if (!results) continue;
    files.push([join(out, 'gradescope', student, 'results.json'), gradescopeResults(results)]);
    files.push([join(out, 'feedback', `${student}.md`), feedbackMarkdown(student, results)]);
  }
  guardWrite(out, 'the gradebook (grades.csv, grades.json, junit.xml, report.html, gradescope/, feedback/)', () => {
    for (const { student, results } of rows) if (results) mkdirSync(join(out, 'gradescope', student), { recursive: true });
    mkdirSync(join(out, 'feedback'), { recursive: true });
    writeFilesAtomic(files);
  });
}
