import { resolve } from 'node:path';
import { parseOptions } from '../cli.ts';
import { EXIT, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { writeRelease } from '../release/release.ts';

const HELP = `Usage: ailab release --out DIR

Writes a student copy of the course to DIR: every lab without checks/, solution/ or mutants/,
only the fixtures public tests need (lab.yaml public_fixtures), and the runner. In that copy,
\`npm install && npm run check lab-03\` runs the public tests and says that hidden checks run
when the work is graded.

Example:
  npm run lab -- release --out ../ailab-student`;

/** \`ailab release --out DIR\`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'release --out DIR');
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (!values.out) throw new UsageError('--out DIR is required.', 'Example: npm run lab -- release --out ../ailab-student');
  const out = resolve(values.out);
  const files = writeRelease(courseRoot(), out);
  process.stdout.write(`Wrote a student release of ${files.length} files to ${out}.\nNo hidden checks, solutions or mutants are in it. Students run: npm install && npm run check lab-00\n`);
  return EXIT.ok;
}
