import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { LimitsSchema } from '../../../runner/lab/schema.ts';
import { LocalSandbox } from '../../../runner/sandbox/local.ts';
import type { RunSpec } from '../../../runner/sandbox/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'ailab-deadline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A real process under the local sandbox: it prints STARTED after `startAfterMs` (as vitest's
 * reporter sends its start frame), then runs `body`. `started` resolves on that line.
 */
function spec(name: string, startAfterMs: number | null, body: string, limits: { timeout_s: number }, startLimitMs?: number): RunSpec {
  const file = join(dir, `${name}.mjs`);
  const start = startAfterMs === null ? 'setInterval(() => {}, 1000);' : `setTimeout(() => { console.log('STARTED'); ${body} }, ${startAfterMs});`;
  writeFileSync(file, start);
  let onStart!: () => void;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  return {
    runDir: dir,
    workdir: '.',
    args: () => [file],
    env: {},
    stdin: '',
    limits: LimitsSchema.parse(limits),
    started,
    startLimitMs,
    interceptStdout: (line) => {
      if (line === 'STARTED') onStart();
      return false;
    },
  };
}

describe('the time limit runs from the test runner\'s start, not the sandbox\'s', () => {
  test('a slow start is not the learner\'s time: a run that starts after 1.5 s and then takes 0.3 s is within a 1 s limit', async () => {
    const out = await new LocalSandbox().run(spec('slow-start', 1500, 'setTimeout(() => process.exit(0), 300);', { timeout_s: 1 }));
    expect(out.timedOut).toBe(false);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('STARTED');
  });

  test('after the start, the limit holds: a busy loop is killed about timeout_s after it started', async () => {
    const before = Date.now();
    const out = await new LocalSandbox().run(spec('busy-after-start', 800, 'for (;;) {}', { timeout_s: 1 }));
    expect(out.timedOut).toBe(true);
    // 0.8 s to start + 1 s of limit; generous above, since the machine may be loaded.
    expect(Date.now() - before).toBeGreaterThanOrEqual(1700);
    expect(Date.now() - before).toBeLessThan(30_000);
  });

  test('a runner that never starts is killed at the start limit', async () => {
    const before = Date.now();
    const out = await new LocalSandbox().run(spec('never-starts', null, '', { timeout_s: 600 }, 700));
    expect(out.timedOut).toBe(true);
    expect(out.stdout).not.toContain('STARTED');
    expect(Date.now() - before).toBeLessThan(30_000);
  });

  test('with no start signal (a bare command), the limit runs from the start', async () => {
    const { started: _, ...bare } = spec('bare', null, '', { timeout_s: 1 });
    const before = Date.now();
    const out = await new LocalSandbox().run(bare);
    expect(out.timedOut).toBe(true);
    expect(Date.now() - before).toBeLessThan(30_000);
  });
});
