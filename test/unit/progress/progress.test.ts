import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { StateWriteError } from '../../../runner/core/errors.ts';
import { loadLab } from '../../../runner/lab/load.ts';
import { hintLadder, pickHintCheck, revealNext } from '../../../runner/progress/hints.ts';
import { addRun, hintsUsed } from '../../../runner/progress/record.ts';
import { emptyProgress, MAX_RUNS } from '../../../runner/progress/schema.ts';
import { PROGRESS_PATH, readProgress, writeProgress } from '../../../runner/progress/store.ts';
import { labStatuses, suggestNext } from '../../../runner/progress/summary.ts';
import { ResultsSchema, type Results } from '../../../runner/results/schema.ts';
import { demoCourse, removeTree, writeTree } from '../../helpers/course.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach(removeTree));
function course(): string {
  const root = writeTree(demoCourse());
  roots.push(root);
  return root;
}

/** A results object for lab-07 with the given statuses for add-small and add-negative. */
function results(small: 'pass' | 'fail', negative: 'pass' | 'fail'): Results {
  const check = (id: string, status: string) => ({ id, task: 'add', title: id, test: id, status, points: status === 'pass' ? 5 : 0, maxPoints: 5, visibility: 'public', durationMs: 1 });
  const score = (small === 'pass' ? 5 : 0) + (negative === 'pass' ? 5 : 0);
  return ResultsSchema.parse({
    schemaVersion: 1,
    lab: { id: 'lab-07', title: 'Demo lab', version: '1' },
    submission: { source: 'workspace', sha256: 'a'.repeat(64), files: ['src/add.ts'] },
    status: score === 10 ? 'pass' : 'fail',
    score,
    maxScore: 10,
    tasks: [{ id: 'add', title: 'Addition', score, maxScore: 10 }],
    checks: [check('add-small', small), check('add-negative', negative)],
    problems: [],
    sandbox: { kind: 'local', exitCode: 1, timedOut: false, oomKilled: false, durationMs: 10, limits: { timeout_s: 30, test_timeout_s: 10, memory_mb: 1024, cpus: 1, pids: 256, output_kb: 256 } },
    output: '',
    runner: { version: '0.1.0' },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
  });
}

describe('progress store', () => {
  test('a missing file is an empty history; a written one reads back the same', () => {
    const root = course();
    expect(readProgress(root)).toEqual(emptyProgress());
    const p = emptyProgress();
    addRun(p, results('pass', 'fail'), new Date('2026-11-23T10:00:00Z'));
    writeProgress(root, p);
    expect(readProgress(root)).toEqual(p);
    // atomic: no temp file is left next to it
    expect(readdirSync(join(root, '.ailab'))).toEqual(['progress.json']);
  });

  test.each([
    ['not JSON', 'garbage{', /is corrupt \(Unexpected token/],
    ['invalid', '{"version": 2, "labs": {}}', /is corrupt \(version: /],
    ['wrong types', '{"version": 1, "labs": {"lab-07": {"runs": "many"}}}', /is corrupt \(labs\.lab-07\.runs: /],
  ])('a corrupt file (%s) is reported, backed up and reset, never thrown', (_, text, message) => {
    const root = course();
    mkdirSync(join(root, '.ailab'));
    writeFileSync(join(root, PROGRESS_PATH), text);
    const warnings: string[] = [];
    expect(readProgress(root, (w) => warnings.push(w))).toEqual(emptyProgress());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(message);
    const backups = readdirSync(join(root, '.ailab')).filter((f) => f.startsWith('progress.json.corrupt-'));
    expect(backups).toHaveLength(1);
    expect(warnings[0]).toContain(`moved to .ailab/${backups[0]}`);
    expect(readFileSync(join(root, '.ailab', backups[0]), 'utf8')).toBe(text);
    expect(existsSync(join(root, PROGRESS_PATH))).toBe(false);
  });

  test('a folder it cannot write is a typed StateWriteError naming the file', () => {
    const root = course();
    writeFileSync(join(root, '.ailab'), 'a file where the folder should be');
    let error: unknown;
    try {
      writeProgress(root, emptyProgress());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateWriteError);
    expect((error as StateWriteError).code).toBe('E_STATE_WRITE');
    expect((error as StateWriteError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(/^Cannot write \.ailab\/progress\.json: /);
  });

  test.skipIf(process.getuid?.() === 0)('a read-only .ailab folder is a StateWriteError (non-root only: root ignores modes)', () => {
    const root = course();
    mkdirSync(join(root, '.ailab'));
    chmodSync(join(root, '.ailab'), 0o555);
    try {
      expect(() => writeProgress(root, emptyProgress())).toThrow(StateWriteError);
    } finally {
      chmodSync(join(root, '.ailab'), 0o755);
    }
  });
});

describe('recording runs', () => {
  test('keeps the last 50 runs, the best run and the last run', () => {
    const p = emptyProgress();
    addRun(p, results('pass', 'pass'), new Date('2026-11-23T09:00:00Z'));
    for (let i = 0; i < 60; i++) addRun(p, results('pass', 'fail'), new Date(Date.UTC(2026, 10, 23, 10, i)));
    const lab = p.labs['lab-07'];
    expect(lab.runs).toHaveLength(MAX_RUNS);
    expect(lab.runs[0].at).toBe('2026-11-23T10:10:00.000Z');
    expect(lab.best).toMatchObject({ score: 10, status: 'pass', at: '2026-11-23T09:00:00.000Z' });
    expect(lab.lastRun).toMatchObject({ score: 5, status: 'fail', notPassing: ['add-negative'], at: '2026-11-23T10:59:00.000Z' });
  });
});

describe('hint ladder', () => {
  const root = writeTree(demoCourse());
  const lab = loadLab(join(root, 'labs/lab-07-demo'), root);
  afterAll(() => removeTree(root));

  test('a string is a one-rung ladder, a list is the ladder', () => {
    expect(hintLadder(lab.checks[0])).toEqual(['Use +.']);
    expect(hintLadder(lab.checks[1])).toEqual(['Negative numbers too.', 'Still +.']);
  });

  test('picks the first check that did not pass in the last run, else the first check', () => {
    const p = emptyProgress();
    expect(pickHintCheck(lab, p)).toMatchObject({ check: { id: 'add-small' }, why: expect.stringContaining('no run recorded') });
    addRun(p, results('pass', 'fail'));
    expect(pickHintCheck(lab, p).check.id).toBe('add-negative');
    addRun(p, results('pass', 'pass'));
    expect(pickHintCheck(lab, p)).toMatchObject({ check: { id: 'add-small' }, why: 'every check passed in your last run' });
  });

  test('an unknown check id suggests the closest one', () => {
    expect(() => pickHintCheck(lab, emptyProgress(), 'add-negativ')).toThrow('lab-07 has no check "add-negativ". Did you mean "add-negative"?');
  });

  test('each reveal shows one more rung until the ladder is exhausted, counting hints used', () => {
    const p = emptyProgress();
    const check = lab.checks[1];
    expect(revealNext(p, lab, check)).toEqual({ shown: 1, total: 2, revealed: true });
    expect(revealNext(p, lab, check)).toEqual({ shown: 2, total: 2, revealed: true });
    expect(revealNext(p, lab, check)).toEqual({ shown: 2, total: 2, revealed: false });
    expect(hintsUsed(p, 'lab-07')).toBe(2);
  });
});

describe('status summary', () => {
  test('suggests finishing a started lab, then starting the next, then says all done', () => {
    const root = course();
    const lab = loadLab(join(root, 'labs/lab-07-demo'), root);
    const p = emptyProgress();
    expect(suggestNext(labStatuses([lab], p))).toBe('Start lab-07, Demo lab (~5 min): edit its src/ files, then `npm run check lab-07`.');
    addRun(p, results('pass', 'fail'));
    expect(suggestNext(labStatuses([lab], p))).toBe('Keep going with lab-07 (best 50%): fix add-negative next, then `npm run check lab-07`. Stuck? `npm run lab -- hint lab-07`.');
    addRun(p, results('pass', 'pass'));
    expect(suggestNext(labStatuses([lab], p))).toBe('Every lab passes. Well done!');
  });
});
