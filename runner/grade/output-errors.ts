import { AilabError, OutputWriteError } from '../core/errors.ts';

const FULL = new Set(['ENOSPC', 'EDQUOT']);

/** Turns a failed write into the output folder into a typed error that says what to do next. */
export function outputWriteError(out: string, what: string, error: unknown): AilabError {
  if (error instanceof AilabError) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? 'unknown';
  const kept = 'Every file already in it is complete (nothing is left half-written); run the same command again with --resume to keep the results that were saved.';
  if (FULL.has(code)) {
    return new OutputWriteError(
      'E_DISK_FULL',
      `The disk holding ${out} is full${code === 'EDQUOT' ? ' (over quota)' : ''}: could not write ${what}.`,
      `Free space on it (\`df -h ${out}\`) or grade into another --out folder. ${kept}`,
      { cause: error },
    );
  }
  return new OutputWriteError('E_OUTPUT_WRITE', `Could not write ${what} in ${out}: ${(error as Error)?.message ?? String(error)}`, `Check that the folder is writable and its disk healthy (${code}), or use another --out folder. ${kept}`, { cause: error });
}

/** Runs a write into the output folder (`what` names it for the message), turning errno failures into typed errors. */
export function guardWrite<T>(out: string, what: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw outputWriteError(out, what, error);
  }
}
