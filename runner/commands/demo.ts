import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseOptions } from '../cli.ts';
import { EXIT, LabError, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { resolveLab } from '../lab/resolve.ts';

/** `ailab demo <lab> [args]`: runs the lab's demo.ts (the reference pipeline end to end). */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { help: { type: 'boolean', short: 'h' } }, 'demo <lab> [question]');
  if (values.help) {
    process.stdout.write('Usage: ailab demo <lab> [args...]\n\nRuns labs/<lab>/demo.ts, if the lab has one.\n\nExample:\n  npm run lab -- demo lab-01 "Which pump model failed in 2019?"\n');
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('Name the lab whose demo to run.', 'Example: npm run lab -- demo lab-01');
  const root = courseRoot();
  const lab = resolveLab(positionals[0], root);
  const script = join(lab.dir, 'demo.ts');
  if (!existsSync(script)) throw new LabError('E_LAB_FILES', `${lab.manifest.id} has no demo.`, 'Labs with a demo: lab-01.');
  const child = await execa(process.execPath, ['--import', 'tsx', script, ...positionals.slice(1)], { cwd: root, stdio: 'inherit', reject: false });
  return child.exitCode ?? EXIT.infrastructure;
}
