import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { gradesCsv, gradescopeResults } from '../../../runner/grade/exports.ts';
import { reportHtml } from '../../../runner/grade/report-html.ts';
import { safeEntryPath } from '../../../runner/grade/extract.ts';
import { studentId } from '../../../runner/grade/discover.ts';
import { loadLab } from '../../../runner/lab/load.ts';
import { errorResults } from '../../../runner/results/error-results.ts';
import { ResultsSchema } from '../../../runner/results/schema.ts';
import { demoCourse, removeTree, writeTree } from '../../helpers/course.ts';

const root = writeTree(demoCourse());
afterAll(() => removeTree(root));
const lab = loadLab(join(root, 'labs/lab-07-demo'), root);
const passing = ResultsSchema.parse({
  ...errorResults(lab, root, 'x', 'y', 'r', 'docker'),
  status: 'pass',
  score: 10,
  problems: [],
  checks: errorResults(lab, root, 'x', 'y', 'r', 'docker').checks.map((c) => ({ ...c, status: 'pass', points: c.maxPoints, message: undefined })),
});
const broken = errorResults(lab, root, 'x', 'y', 'the archive holds a symbolic link', 'docker');

describe('grade exports', () => {
  test('grades.csv has a header, a row per student with a column per check and the notes, and quotes what needs it', () => {
    const flagged = { ...passing, problems: ['review: src/add.ts:3 mentions `process.ppid` (other processes or the result channel)'] };
    expect(gradesCsv(lab, [{ student: 'alice', results: passing }, { student: 'bob, jr', results: broken }, { student: 'zoe' }, { student: 'max', results: flagged }])).toBe(
      'student,status,score,max_score,percent,add-small,add-negative,notes\r\nalice,pass,10,10,100,5,5,\r\n"bob, jr",error,0,10,0,0,0,the archive holds a symbolic link\r\nzoe,no-submission,0,10,0,0,0,\r\n' +
        'max,pass,10,10,100,5,5,review: src/add.ts:3 mentions `process.ppid` (other processes or the result channel)\r\n',
    );
  });

  test('Gradescope results mark hidden checks after_published', () => {
    const gs = JSON.parse(gradescopeResults(broken));
    expect(gs.score).toBe(0);
    expect(gs.tests.map((t: { number: string; visibility: string; max_score: number }) => [t.number, t.visibility, t.max_score])).toEqual([
      ['add-small', 'visible', 5],
      ['add-negative', 'after_published', 5],
    ]);
  });

  test('report.html is self-contained and its charts carry the right counts', () => {
    const html = reportHtml(lab, [{ student: 'alice', results: passing }, { student: 'bob', results: broken }, { student: 'carl', results: passing }]);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).toContain('<g class="bar" data-label="0–9%" data-value="1">');
    expect(html).toContain('<g class="bar" data-label="90–100%" data-value="2">');
    expect(html).toContain('<g class="bar" data-label="add-small" data-value="67">');
    expect(html.match(/<tr data-sha256="[^"]*"><td title="submission [^"]+ · lab version [^"]+ · graded [^"]+">/g)).toHaveLength(3);
  });
});

describe('archive safety', () => {
  test.each(['../x.ts', 'a/../../x.ts', '/etc/passwd', 'C:/x.ts', '..\\x.ts'])('rejects %s', (name) => {
    expect(() => safeEntryPath(name)).toThrow(/escapes its folder|absolute path/);
  });

  test('accepts ordinary paths', () => {
    expect(safeEntryPath('alice/src/x.ts')).toBe('alice/src/x.ts');
  });

  test('student ids come from entry names without archive extensions', () => {
    expect(studentId('alice.tar.gz')).toBe('alice');
    expect(studentId('Bob Smith.zip')).toBe('Bob_Smith');
    expect(studentId('..hidden')).toBe('_hidden');
  });
});
