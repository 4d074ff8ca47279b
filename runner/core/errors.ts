/**
 * Typed errors for "the tool could not do its job". A learner's failing code is never one of
 * these: it is a result. Each error carries a stable code, an exit code and a next step.
 */

/** Exit codes, documented in README.md. */
export const EXIT = {
  ok: 0,
  checksFailed: 1,
  usage: 2,
  infrastructure: 3,
} as const;

/** Base class: a message, a stable code, the exit code and what to do next. */
export class AilabError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AilabError';
  }
}

/** Bad command-line input: an unknown option, a missing argument. */
export class UsageError extends AilabError {
  constructor(message: string, hint?: string) {
    super('E_USAGE', message, hint, EXIT.usage);
  }
}

/** A lab that does not exist, or whose manifest or files are malformed. */
export class LabError extends AilabError {
  constructor(code: 'E_LAB_UNKNOWN' | 'E_MANIFEST' | 'E_LAB_FILES', message: string, hint?: string) {
    super(code, message, hint, EXIT.usage);
  }
}

/** A submission that cannot be graded as given: a missing file, a symlink, an oversized file. */
export class SubmissionError extends AilabError {
  constructor(message: string, hint?: string) {
    super('E_SUBMISSION', message, hint, EXIT.usage);
  }
}

/** The sandbox could not run: Docker down, an image build that failed, a container error. */
export class SandboxError extends AilabError {
  constructor(
    code: 'E_DOCKER_UNAVAILABLE' | 'E_IMAGE_BUILD' | 'E_SANDBOX' | 'E_GRADE_INCOMPLETE',
    message: string,
    hint?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, hint, EXIT.infrastructure, options);
  }
}

/** The user pressed Ctrl-C: clean up and exit quietly with 130. */
export class InterruptedError extends AilabError {
  constructor() {
    super('E_INTERRUPTED', 'Interrupted.', undefined, 130);
  }
}

/** ailab could not write its own state (.ailab/): a read-only folder, a full disk. */
export class StateWriteError extends AilabError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('E_STATE_WRITE', message, hint, EXIT.infrastructure, options);
  }
}

/** A grade output folder could not be written: a full disk or quota (E_DISK_FULL), or another I/O error. */
export class OutputWriteError extends AilabError {
  constructor(code: 'E_DISK_FULL' | 'E_OUTPUT_WRITE', message: string, hint: string, options?: { cause?: unknown }) {
    super(code, message, hint, EXIT.infrastructure, options);
  }
}
