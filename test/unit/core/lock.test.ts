import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { tryLock, waitForLock } from '../../../runner/core/lock.ts';
import { removeTree, writeTree } from '../../helpers/course.ts';

const dir = writeTree({});
afterAll(() => removeTree(dir));

describe('waitForLock', () => {
  test('waits while a live process holds the lock, names it once, and takes the lock when it dies', async () => {
    const lock = join(dir, 'held.lock');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    writeFileSync(lock, `${holder.pid}\nsome-uuid\n`);
    const told: number[] = [];
    const waiting = waitForLock(lock, { onWait: (pid) => told.push(pid), pollMs: 50 });
    await new Promise((r) => setTimeout(r, 400));
    expect(told).toEqual([holder.pid]);
    expect(tryLock(lock)).toEqual({ holder: holder.pid });
    holder.kill('SIGKILL'); // a build killed midway leaves its lock behind
    await new Promise((r) => holder.once('exit', r));
    const release = await waiting;
    expect(told).toEqual([holder.pid]);
    expect(existsSync(lock)).toBe(true);
    release();
    expect(existsSync(lock)).toBe(false);
  });

  test('a lock left by a dead process is taken over at once, without waiting', async () => {
    const lock = join(dir, 'stale.lock');
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(lock, `${dead.pid}\nsome-uuid\n`);
    const told: number[] = [];
    const release = await waitForLock(lock, { onWait: (pid) => told.push(pid) });
    expect(told).toEqual([]);
    release();
  });

  test('stops waiting when its signal aborts', async () => {
    const lock = join(dir, 'mine.lock');
    writeFileSync(lock, '1\nother\n'); // held by a process that runs (pid 1) and never lets go
    const controller = new AbortController();
    const waiting = waitForLock(lock, { onWait: () => controller.abort(new Error('stop')), pollMs: 20, signal: controller.signal });
    await expect(waiting).rejects.toThrow('stop');
  });
});
