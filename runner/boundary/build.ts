// Prepares a run tree's learner side (`.ailab-learner/`, readable by the learner process): the
// learner host bundled to one CommonJS file, the lab's TypeScript compiled to CommonJS with inline
// source maps (so stack traces name the .ts lines), and the import policy.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { build, buildSync, transform } from 'esbuild';
import { keptFile } from '../core/kept.ts';
import { boundaryDir } from '../core/paths.ts';
import type { LearnerPolicy } from './policy.ts';

/** The folder, at the run tree's root, that the learner process may read. */
export const LEARNER_DIR = '.ailab-learner';

/** What both halves of the boundary are built with: one self-contained file for Node 20. */
const BOUNDARY_BUILD = { bundle: true, platform: 'node', target: 'node20', write: false, logLevel: 'silent', legalComments: 'none' } as const;

let host: Promise<string> | undefined;

/** The learner host as one CommonJS file (built once per runner version, kept beside the bundle). */
export function hostBundle(): Promise<string> {
  host ??= (async () => {
    const kept = keptFile('boundary', () => 'host.cjs');
    const made = kept?.read();
    if (made) return made;
    const text = (await build({ ...BOUNDARY_BUILD, entryPoints: [join(boundaryDir(), 'host.ts')], format: 'cjs' })).outputFiles[0].text;
    kept?.keep(text);
    return text;
  })();
  return host;
}

let checks: string | undefined;

/**
 * The checks' side of the boundary (learner.ts and the RPC under it) as one ES module, built once
 * per runner version and kept beside the bundle: vitest loads one plain file in each run instead
 * of transforming a dozen TypeScript files (about 250 ms of every run's start).
 */
export function checksBundle(): string {
  if (checks) return checks;
  const kept = keptFile('boundary', () => 'learner.mjs');
  const made = kept?.read();
  if (made) return (checks = made);
  checks = buildSync({ ...BOUNDARY_BUILD, entryPoints: [join(boundaryDir(), 'learner.ts')], format: 'esm' }).outputFiles[0].text;
  kept?.keep(checks);
  return checks;
}

function tsFiles(dir: string, root: string, out: string[]): void {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    return;
  }
  if (stat.isFile()) {
    if (dir.endsWith('.ts') && !dir.endsWith('.d.ts')) out.push(relative(root, dir).split('\\').join('/'));
    return;
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isSymbolicLink() || entry.name === 'node_modules') continue;
    tsFiles(join(dir, entry.name), root, out);
  }
}

/** Compiles one file; a syntax error is kept as its message, to be thrown when the file is loaded. */
async function compile(root: string, rel: string): Promise<{ code: string } | { error: string }> {
  try {
    const result = await transform(readFileSync(join(root, rel), 'utf8'), {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: basename(rel),
      logLevel: 'silent',
      // The files load as CommonJS (see host.ts): import.meta's Node fields map to their CommonJS twins.
      define: { 'import.meta.url': '__ailabImportMetaUrl', 'import.meta.dirname': '__dirname', 'import.meta.filename': '__filename' },
      banner: "const __ailabImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    });
    return { code: result.code };
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { line: number; column: number } }[] }).errors?.[0];
    const where = first?.location ? `${rel}:${first.location.line}:${first.location.column + 1}` : rel;
    const text = first?.text ?? (error as Error).message;
    // The lab's files load as CommonJS, which has no top-level await: say what to do instead.
    if (/top-level await/i.test(text)) return { error: `${where}: an await outside any function (top-level await) is not supported in lab files: move it into the function that needs the value` };
    return { error: `${where}: ${text}` };
  }
}

/** Writes `.ailab-learner/` into the run tree at `root`. */
export async function prepareLearner(root: string, policy: LearnerPolicy): Promise<void> {
  const files: string[] = [];
  for (const entry of policy.readable) tsFiles(join(root, entry), root, files);
  const compiled = await Promise.all(files.map(async (rel) => [rel, await compile(root, rel)] as const));
  const dir = join(root, LEARNER_DIR);
  mkdirSync(dir, { mode: 0o755 });
  writeFileSync(join(dir, 'host.cjs'), await hostBundle(), { mode: 0o644 });
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy), { mode: 0o644 });
  writeFileSync(join(dir, 'sources.json'), JSON.stringify(Object.fromEntries(compiled)), { mode: 0o644 });
}
