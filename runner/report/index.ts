import type { Results } from '../results/schema.ts';
import { colors } from '../ui/colors.ts';
import { renderGithub } from './github.ts';
import { renderJunit } from './junit.ts';
import { renderTerminal } from './terminal.ts';

/** Reporters by name: each renders one results object to text. */
export const REPORTERS: Record<string, (results: Results) => string> = {
  terminal: (results) => renderTerminal(results, colors(process.stdout), process.stdout.isTTY ? process.stdout.columns : undefined),
  json: (results) => `${JSON.stringify(results, null, 2)}\n`,
  junit: renderJunit,
  github: (results) => renderGithub(results),
};

/** The reporter names, for --help and errors. */
export const REPORTER_NAMES = Object.keys(REPORTERS);
