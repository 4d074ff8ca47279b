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

/** chai's own words after a check's custom message, when they only say that a boolean was wrong. */
const BOOLEAN_ASSERTION = /^expected (?:true|false) to be (?:true|false|truthy|falsy)$/;

/**
 * An assertion's message without framework noise: no "// Object.is equality", and a custom
 * message alone when chai only adds that a boolean was wrong ("expected false to be true").
 * Returns whether the diff still says something.
 */
function withoutNoise(message: string): { message: string; keepDiff: boolean } {
  const text = message.replace(/ \/\/ Object\.is equality$/, '');
  const at = text.lastIndexOf(': expected ');
  if (at > 0 && BOOLEAN_ASSERTION.test(text.slice(at + 2))) return { message: text.slice(0, at), keepDiff: false };
  return { message: text, keepDiff: true };
}

/** Turns a test error into the short message a learner reads: what failed, the diff, and where. */
export function describeError(error: FrameError | undefined): string {
  if (!error) return 'failed without an error message';
  const name = error.name && !['Error', 'AssertionError'].includes(error.name) ? `${error.name}: ` : '';
  const raw = stripAnsi(error.message ?? '').trim();
  const cleaned = error.name === 'AssertionError' ? withoutNoise(raw) : { message: raw, keepDiff: true };
  const parts = [explainImports(`${name}${cleaned.message}`)];
  const diff = cleaned.keepDiff ? stripAnsi(error.diff ?? '').trim() : '';
  if (diff && !parts[0].includes(diff)) parts.push(diff);
  if (error.at) parts.push(`at ${error.at}`);
  return parts.join('\n');
}
