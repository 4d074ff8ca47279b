import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { killTagged, RUN_TAG } from '../../../runner/sandbox/strays.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test.runIf(process.platform === 'linux')('a detached process that carries the run tag is killed, an untagged one is left alone', async () => {
  const start = (env: Record<string, string>) => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
    child.unref();
    return child;
  };
  const tagged = start({ [RUN_TAG]: 'run-1' });
  const other = start({ [RUN_TAG]: 'run-2' });
  try {
    await new Promise((r) => setTimeout(r, 300)); // let /proc/<pid>/environ settle after exec
    expect(killTagged('run-1')).toEqual([tagged.pid]);
    await new Promise((r) => tagged.once('exit', r));
    expect(alive(other.pid!)).toBe(true);
  } finally {
    for (const c of [tagged, other]) if (alive(c.pid!)) process.kill(c.pid!, 'SIGKILL');
  }
});
