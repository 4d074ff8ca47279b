import { parseOptions } from '../cli.ts';
import { EXIT } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { loadLab } from '../lab/load.ts';
import { listLabDirs } from '../lab/resolve.ts';
import { colors } from '../ui/colors.ts';
import { join } from 'node:path';

/** `ailab list`: the labs, their difficulty, time and what each teaches. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } }, 'list [--json]');
  if (values.help) {
    process.stdout.write('Usage: ailab list [--json]\n\nLists the labs and what each teaches.\n\nExample:\n  npm run lab -- list\n');
    return EXIT.ok;
  }
  const root = courseRoot();
  const labs = listLabDirs(root).map((name) => loadLab(join(root, 'labs', name), root));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(labs.map((l) => ({ id: l.manifest.id, slug: l.manifest.slug, title: l.manifest.title, summary: l.manifest.summary, difficulty: l.manifest.difficulty, estimated_minutes: l.manifest.estimated_minutes, checks: l.checks.length, points: l.maxScore })), null, 2)}\n`);
    return EXIT.ok;
  }
  const c = colors();
  for (const lab of labs) {
    const m = lab.manifest;
    process.stdout.write(`${c.bold(m.id)}  ${m.title}  ${c.dim(`(${m.difficulty}, ~${m.estimated_minutes} min, ${lab.checks.length} checks)`)}\n    ${m.summary}\n`);
  }
  process.stdout.write(`\nStart with: npm run check ${labs[0]?.manifest.id ?? 'lab-00'}\n`);
  return EXIT.ok;
}
