import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { LOCK_FILE, lockOutput } from '../../../runner/grade/lock.ts';
import { removeTree, writeTree } from '../../helpers/course.ts';

const dir = writeTree({});
afterAll(() => removeTree(dir));
const lockModule = join(import.meta.dirname, '../../../runner/grade/lock.ts');

const ROUNDS = 12;
const contenders = Math.max(2, Math.min(4, availableParallelism()));

/** What one process got in one round: the lock, held from t0 to t1 (ms), or a refusal code. */
type Got = { code: string; t0?: number; t1?: number };

/**
 * Starts processes that, in each of ROUNDS rounds, all try to lock that round's folder at the same
 * instant (the window a race needs is microseconds wide, so one collision proves little) and hold
 * it for 250 ms; returns, per round, what each process got.
 */
async function contend(base: string, prepare: (out: string) => void): Promise<Got[][]> {
  const outs = Array.from({ length: ROUNDS }, (_, r) => join(base, `round-${r}`));
  outs.forEach(prepare);
  const at = Date.now() + 2500; // after every process has loaded
  const script = `
    const { lockOutput } = await import(${JSON.stringify(lockModule)});
    const outs = ${JSON.stringify(outs)};
    const got = [];
    for (let r = 0; r < outs.length; r++) {
      while (Date.now() < ${at} + r * 400) {}
      try {
        const release = lockOutput(outs[r]);
        const t0 = Date.now();
        while (Date.now() < ${at} + r * 400 + 250) {}
        got.push({ code: 'locked', t0, t1: Date.now() });
        release();
      } catch (e) { got.push({ code: e.code }); }
    }
    console.log(JSON.stringify(got));`;
  const runs = await Promise.all(Array.from({ length: contenders }, () => execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false })));
  const byProcess = runs.map((r) => {
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Got[];
  });
  return outs.map((_, r) => byProcess.map((got) => got[r]));
}

/** No two processes held the lock at the same time, and most rounds really were contended. */
function expectMutualExclusion(rounds: Got[][]): void {
  for (const got of rounds) {
    expect(got.every((g) => g.code === 'locked' || g.code === 'E_LOCKED'), JSON.stringify(got)).toBe(true);
    const held = got.filter((g) => g.code === 'locked').sort((a, b) => a.t0! - b.t0!);
    expect(held.length).toBeGreaterThanOrEqual(1);
    // A process that arrives after the holder released (a loaded machine) may lock it next, never meanwhile.
    for (let i = 1; i < held.length; i++) expect(held[i].t0!, JSON.stringify(got)).toBeGreaterThanOrEqual(held[i - 1].t1!);
  }
  const contended = rounds.filter((got) => got.filter((g) => g.code === 'locked').length === 1).length;
  expect(contended).toBeGreaterThanOrEqual(ROUNDS / 2);
}

describe('the grade output lock', () => {
  test('of runs that start at once on a free folder, exactly one holds the lock', async () => {
    expectMutualExclusion(await contend(join(dir, 'free'), () => {}));
    expect(readdirSync(join(dir, 'free', 'round-0'))).toEqual([]); // released, nothing left beside it
  }, 30_000);

  test('a stale lock (its process is gone) is taken over by only one of the runs that see it at once', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    expectMutualExclusion(await contend(join(dir, 'stale'), (out) => writeTree({ [LOCK_FILE]: `${dead}\n` }, out)));
    expect(readdirSync(join(dir, 'stale', 'round-0'))).toEqual([]); // no stale copy moved aside is left
  }, 30_000);

  test('a live holder is named; release removes only its own lock', () => {
    const out = join(dir, 'live');
    const release = lockOutput(out);
    expect(readFileSync(join(out, LOCK_FILE), 'utf8')).toMatch(new RegExp(`^${process.pid}\\n[0-9a-f-]{36}\\n$`));
    writeFileSync(join(out, LOCK_FILE), '1\n'); // taken over meanwhile (pid 1 runs)
    release();
    expect(existsSync(join(out, LOCK_FILE))).toBe(true);
    expect(() => lockOutput(out)).toThrow('Another grade run (pid 1) is writing to');
  });
});
