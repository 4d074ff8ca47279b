// The warm sandbox's agent (runner/sandbox/warm.ts). It runs in a container that stays up between
// watch runs and, on each request, runs vitest once more in this same process, on a run tree that
// was staged fresh for that request. Only vitest's own code stays loaded: every run has a new
// Vitest instance, new test workers (the pool closes when the run ends), a new learner process, and
// its config, reporter and checks imported from the new tree's path. Between runs the agent kills
// every process of the learner's user, deletes what that user left in /tmp and /dev/shm, and
// deletes the run's tree, so nothing a run started or wrote reaches the next one.
//
// Protocol, one line per message. stdin: the session's nonce, then one JSON request per run:
// { root, workdir, config, files, env, nonce }. stdout: after each run,
// "@@ailab-agent:<session nonce>:{ "exitCode": n }". The session nonce reaches only this process
// (the learner runs as another user, so it cannot read this process's stdin), so a learner
// cannot end a run early by printing a forged "done".
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startVitest } from 'vitest/node';
import { writeAll } from './reporter.mjs';

const learnerUid = Number(process.env.AILAB_LEARNER_UID);
const baseEnv = { ...process.env };

/** Every process of the learner's user, killed: nothing a run started outlives it. */
function killLearnerProcesses() {
  if (!Number.isInteger(learnerUid) || learnerUid === process.getuid?.()) return;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (Number(uid) === learnerUid) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** What the learner's user left in a scratch folder, deleted; the checks' side's files go too. */
function wipe(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    try {
      const entry = lstatSync(path);
      if (entry.uid === learnerUid || name.startsWith('ailab-')) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}

/**
 * The run's tree, deleted: the runner copied it into this container's volume for this run only.
 * Its owner (TREE_UID in docker.ts) deletes it; root here has no capability to delete others' files.
 */
function removeTree(root) {
  let owner;
  try {
    owner = lstatSync(root).uid;
  } catch {
    return;
  }
  const done = spawnSync(process.execPath, ['-e', 'require("fs").rmSync(process.argv[1], { recursive: true, force: true })', root], { uid: owner, gid: owner, stdio: ['ignore', 'ignore', 'pipe'] });
  if (done.status !== 0) process.stderr.write(`ailab agent: could not delete the run tree ${root}: ${done.stderr?.toString().trim() || done.error}\n`);
}

/** One run: vitest on the request's tree, then everything the run left behind removed. */
async function runOnce(request) {
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
  Object.assign(process.env, baseEnv, request.env);
  process.chdir(join(request.root, request.workdir));
  globalThis[Symbol.for('ailab.run-nonce')] = request.nonce;
  process.exitCode = undefined;
  try {
    const vitest = await startVitest('test', request.files, { config: request.config, root: join(request.root, request.workdir), run: true, watch: false, configLoader: 'native' });
    await vitest?.close();
  } catch (error) {
    process.stderr.write(`ailab agent: vitest failed: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  } finally {
    delete globalThis[Symbol.for('ailab.run-nonce')];
  }
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  killLearnerProcesses();
  wipe('/tmp');
  wipe('/dev/shm');
  process.chdir('/');
  removeTree(request.root);
  return exitCode;
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
let session;
let queue = Promise.resolve();
lines.on('line', (line) => {
  if (session === undefined) {
    session = line.trim();
    return;
  }
  queue = queue.then(async () => {
    const exitCode = await runOnce(JSON.parse(line));
    writeAll(1, `\n@@ailab-agent:${session}:${JSON.stringify({ exitCode })}\n`);
  });
});
lines.on('close', () => {
  void queue.then(() => process.exit(0));
});
