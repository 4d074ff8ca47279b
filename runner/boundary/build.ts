// Prepares a run tree's learner side (`.ailab-learner/`, readable by the learner process): the
// learner host bundled to one CommonJS file, the lab's TypeScript compiled to CommonJS with inline
// source maps (so stack traces name the .ts lines), and the import policy.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { build, buildSync, transform } from 'esbuild';
import { writeFileAtomic } from '../core/atomic.ts';
import { boundaryDir, bundleDir } from '../core/paths.ts';
import type { LearnerPolicy } from './policy.ts';

/** The folder, at the run tree's root, that the learner process may read. */
export const LEARNER_DIR = '.ailab-learner';

let host: Promise<string> | undefined;

/**
 * A build's output kept in the precompiled runner's folder (runner/.dist/<key>/boundary/), so only
 * the first command of a runner version builds it; undefined when running from source.
 */
function keptBuild(name: string): { read(): string | undefined; keep(text: string): void } {
  const dir = bundleDir();
  const file = dir && join(dir, 'boundary', name);
  return {
    read: () => (file && existsSync(file) ? readFileSync(file, 'utf8') : undefined),
    keep: (text) => {
      if (!file) return;
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileAtomic(file, text);
      } catch {
        // a read-only checkout: build it each time
      }
    },
  };
}

/** The learner host as one CommonJS file (built once per runner version). */
export function hostBundle(): Promise<string> {
  const kept = keptBuild('host.cjs');
  host ??= Promise.resolve(kept.read()).then(
    (text) =>
      text ??
      build({
        entryPoints: [join(boundaryDir(), 'host.ts')],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        write: false,
        logLevel: 'silent',
        legalComments: 'none',
      }).then((result) => {
        kept.keep(result.outputFiles[0].text);
        return result.outputFiles[0].text;
      }),
  );
  return host;
}

let checks: string | undefined;

/**
 * The checks' side of the boundary (learner.ts and the RPC under it) as one ES module, built once
 * per runner version: vitest loads one plain file in each run instead of transforming a dozen TypeScript
 * files (about 250 ms of every run's start).
 */
export function checksBundle(): string {
  if (checks) return checks;
  const kept = keptBuild('learner.mjs');
  checks = kept.read();
  if (checks) return checks;
  checks = buildSync({
    entryPoints: [join(boundaryDir(), 'learner.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  }).outputFiles[0].text;
  kept.keep(checks);
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
