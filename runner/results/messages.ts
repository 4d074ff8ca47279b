import { stripVTControlCharacters } from 'node:util';
import type { FrameError } from './frames.ts';

/** Removes terminal colour codes and other control sequences (Node's own stripVTControlCharacters). */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

/** Rewrites vitest's transformed-import names into what the learner wrote. */
function explainImports(message: string): string {
  return message.replace(/\(0\s*,\s*__vi_import_\d+__\.(\w+)\)|__vi_import_\d+__\.(\w+)/g, (_, a, b) => a ?? b).replace(
    /^(?:TypeError: )?(\w+) is not a function$/m,
    '$1 is not a function: is it exported from your file under exactly that name?',
  );
}

/** Turns a test error into the short message a learner reads: what failed, the diff, and where. */
export function describeError(error: FrameError | undefined): string {
  if (!error) return 'failed without an error message';
  const name = error.name && !['Error', 'AssertionError'].includes(error.name) ? `${error.name}: ` : '';
  const parts = [explainImports(`${name}${stripAnsi(error.message ?? '').trim()}`)];
  const diff = stripAnsi(error.diff ?? '').trim();
  if (diff && !parts[0].includes(diff)) parts.push(diff);
  if (error.at) parts.push(`at ${error.at}`);
  return parts.join('\n');
}
