// The ailab results reporter. It runs in vitest's main process (never in a test worker) and
// writes one frame per finished test to stdout: "@@ailab:<nonce>:<json>". The nonce arrives on
// stdin, which the main process reads to EOF before any worker starts, so learner code running in
// the workers never sees it and cannot forge a frame the runner will accept.
import { readSync, writeSync } from 'node:fs';
import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import picomatch from 'picomatch';

const MAX_TEXT = 1500;

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `op` (a read or write on a pipe) again while it fails with EAGAIN, the pipe not being ready
 * yet, sleeping 2 ms between tries; `budget.ms` is what the whole transfer may spend waiting.
 */
function whenReady(op, budget) {
  for (;;) {
    try {
      return op();
    } catch (error) {
      if (error?.code !== 'EAGAIN' || budget.ms <= 0) throw error;
      Atomics.wait(pause, 0, 0, 2);
      budget.ms -= 2;
    }
  }
}

/** writeSync that waits out EAGAIN: stdout is a non-blocking pipe that a flood of learner output
 * can fill, and a frame that failed to write would turn a finished check into a missing one. */
export function writeAll(fd, text) {
  const bytes = Buffer.from(text);
  const budget = { ms: 30_000 };
  for (let offset = 0; offset < bytes.length; ) offset += whenReady(() => writeSync(fd, bytes, offset), budget);
}

/**
 * All of stdin, to end of file. The runner writes the nonce a moment after it starts this process,
 * and stdin can be a non-blocking pipe: a read before the write is EAGAIN, not the end, so wait it
 * out (an empty nonce would mean no frames at all, and a run that looks like the sandbox's failure).
 */
function readStdin() {
  const chunks = [];
  const buffer = Buffer.alloc(4096);
  const budget = { ms: 30_000 };
  for (;;) {
    const n = whenReady(() => readSync(0, buffer, 0, buffer.length, null), budget);
    if (n === 0) return Buffer.concat(chunks).toString('utf8');
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
}

// Colour codes go before the cut: a cut inside an escape sequence would leave half of it in the text.
function cap(raw) {
  if (typeof raw !== 'string') return undefined;
  const text = stripVTControlCharacters(raw);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)` : text;
}

// Only the learner's own files are named in a location: a path inside checks/ (or the harness)
// means nothing to a learner, and a student copy has no checks/ at all.
const editable = picomatch(JSON.parse(process.env.AILAB_EDITABLE || '[]'));

/** The first stack frame in the learner's editable files, as path:line:col. */
function locate(stack, root) {
  if (typeof stack !== 'string') return undefined;
  for (const line of stack.split('\n')) {
    const m = /\(?((?:file:\/\/)?\/[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m || m[1].includes('/node_modules/')) continue;
    const file = relative(root, m[1].replace(/^file:\/\//, ''));
    if (file.startsWith('..') || !editable(file)) continue;
    return `${file}:${m[2]}:${m[3]}`;
  }
  return undefined;
}

function serializeError(error, root) {
  return {
    name: cap(error?.name),
    message: cap(String(error?.message ?? error)),
    diff: cap(error?.diff),
    at: locate(error?.stack ?? error?.stackStr, root),
  };
}

export class AilabReporter {
  constructor() {
    this.nonce = '';
    this.root = process.cwd();
  }

  onInit(vitest) {
    this.root = vitest.config.root;
    // In the warm sandbox, the agent (agent.mjs, this same process) was given the run's nonce.
    const given = globalThis[Symbol.for('ailab.run-nonce')];
    if (typeof given === 'string') {
      this.nonce = given;
      this.emit({ type: 'start', pid: process.pid });
      return;
    }
    try {
      this.nonce = readStdin().trim();
    } catch (error) {
      this.nonce = '';
      // Said on stderr, so the runner's "could not start the test runner" names the cause.
      process.stderr.write(`ailab reporter: could not read the run's nonce from stdin (${error?.code ?? error})\n`);
    }
    this.emit({ type: 'start', pid: process.pid });
  }

  emit(frame) {
    if (!this.nonce) return;
    // One write() per frame, each under the pipe's atomic size, so worker output can't split it.
    writeAll(1, `\n@@ailab:${this.nonce}:${JSON.stringify(frame)}\n`);
  }

  onUserConsoleLog(log) {
    const stream = log.type === 'stderr' ? 2 : 1;
    writeAll(stream, String(log.content ?? ''));
  }

  onTestCaseResult(testCase) {
    const result = testCase.result();
    const diagnostic = testCase.diagnostic();
    const state = result.state;
    const errors = (result.errors ?? []).slice(0, 3).map((e) => serializeError(e, this.root));
    this.emit({
      type: 'test',
      name: testCase.fullName,
      file: relative(this.root, testCase.module.moduleId),
      state,
      durationMs: Math.round(diagnostic?.duration ?? 0),
      errors,
    });
  }

  onTestModuleEnd(testModule) {
    const errors = testModule.errors();
    if (errors.length === 0) return;
    this.emit({
      type: 'module',
      file: relative(this.root, testModule.moduleId),
      errors: errors.slice(0, 3).map((e) => serializeError(e, this.root)),
    });
  }

  onTestRunEnd(testModules, unhandledErrors, reason) {
    this.emit({
      type: 'end',
      reason,
      modules: testModules.length,
      unhandledErrors: unhandledErrors.slice(0, 3).map((e) => serializeError(e, this.root)),
    });
  }
}
