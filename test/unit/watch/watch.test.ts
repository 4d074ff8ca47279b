import pc from 'picocolors';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ResultsSchema, type Results } from '../../../runner/results/schema.ts';
import { createRunLoop, StaleRunError } from '../../../runner/watch/loop.ts';
import { renderWatchResult } from '../../../runner/watch/render.ts';

describe('run loop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A fake run that records its start and waits until released or aborted. */
  function fakeRuns() {
    const log: string[] = [];
    const releases: (() => void)[] = [];
    let n = 0;
    const run = (signal: AbortSignal) => {
      const id = ++n;
      log.push(`start ${id}`);
      return new Promise<void>((resolve, reject) => {
        releases.push(() => {
          log.push(`end ${id}`);
          resolve();
        });
        signal.addEventListener('abort', () => {
          log.push(`abort ${id}: ${(signal.reason as Error).message}`);
          reject(signal.reason);
        });
      });
    };
    return { log, releases, run };
  }

  test('saves in a burst are debounced into one run', async () => {
    const { log, run } = fakeRuns();
    const loop = createRunLoop({ debounceMs: 300, run, onError: (e) => log.push(`error ${e}`) });
    loop.trigger();
    await vi.advanceTimersByTimeAsync(200);
    loop.trigger();
    await vi.advanceTimersByTimeAsync(200);
    loop.trigger();
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);
    expect(log).toEqual(['start 1']);
    await loop.stop();
  });

  test('a newer save aborts the stale run, and the fresh run starts only after the stale one ended', async () => {
    const { log, releases, run } = fakeRuns();
    const errors: unknown[] = [];
    const loop = createRunLoop({ debounceMs: 300, run, onError: (e) => errors.push(e) });
    loop.runNow();
    loop.runNow(); // one run at a time: ignored while running
    expect(log).toEqual(['start 1']);
    loop.trigger();
    await vi.advanceTimersByTimeAsync(300);
    expect(log).toEqual(['start 1', 'abort 1: superseded by a newer save', 'start 2']);
    releases[1]();
    await vi.advanceTimersByTimeAsync(0);
    expect(log.at(-1)).toBe('end 2');
    expect(errors).toEqual([]); // an aborted run is not an error
    await loop.stop();
  });

  test('an error from a run that was not aborted is reported; stop aborts and awaits the current run', async () => {
    const errors: unknown[] = [];
    const loop = createRunLoop({ debounceMs: 300, run: async () => Promise.reject(new Error('docker went away')), onError: (e) => errors.push(e) });
    loop.runNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([new Error('docker went away')]);
    const { log, run } = fakeRuns();
    const second = createRunLoop({ debounceMs: 300, run, onError: () => undefined });
    second.runNow();
    await second.stop();
    expect(log).toEqual(['start 1', 'abort 1: superseded by a newer save']);
    second.trigger();
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toHaveLength(2); // stopped: no more runs
    expect(new StaleRunError()).toBeInstanceOf(Error);
  });
});

describe('watch screen', () => {
  const base = {
    schemaVersion: 1,
    lab: { id: 'lab-07', title: 'Demo lab', version: '1' },
    submission: { source: 'workspace', sha256: 'a'.repeat(64), files: ['src/add.ts'] },
    tasks: [{ id: 'add', title: 'Addition', score: 0, maxScore: 10 }],
    problems: [],
    sandbox: { kind: 'local', exitCode: 1, timedOut: false, oomKilled: false, durationMs: 10, limits: { timeout_s: 30, test_timeout_s: 10, memory_mb: 1024, cpus: 1, pids: 256, output_kb: 256 } },
    output: '',
    runner: { version: '0.1.0' },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
  };
  const check = (id: string, status: string, extra = {}) => ({ id, task: 'add', title: `${id} title`, test: id, status, points: status === 'pass' ? 5 : 0, maxPoints: 5, visibility: 'hidden', durationMs: 1, ...extra });
  const at = new Date(2026, 0, 1, 14, 2, 3);

  test('one summary line, then only the first failing check with its message and hint', () => {
    const results: Results = ResultsSchema.parse({
      ...base,
      status: 'fail',
      score: 0,
      maxScore: 15,
      checks: [check('add-small', 'pass'), check('add-negative', 'fail', { message: 'expected 0 to be -3', hint: 'Negative numbers too.' }), check('add-big', 'timeout', { message: 'not shown' })],
    });
    expect(renderWatchResult(results, pc.createColors(false), at)).toMatchInlineSnapshot(`
      "✗ lab-07  0/15 (0%)  1 of 3 checks pass  at 14:02:03

      add-negative  add-negative title (hidden)  fail  0/5
        expected 0 to be -3
        hint: Negative numbers too.
      "
    `);
  });

  test('all pass', () => {
    const results = ResultsSchema.parse({ ...base, status: 'pass', score: 10, maxScore: 10, checks: [check('add-small', 'pass'), check('add-negative', 'pass')] });
    expect(renderWatchResult(results, pc.createColors(false), at)).toBe('✓ lab-07  10/10 (100%)  all 2 checks pass  at 14:02:03\n\nEvery check passes. Well done!\n');
  });
});
