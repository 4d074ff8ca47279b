// Which lab sources each test file can make the learner process load: the checks' side reaches
// learner code only through `learner('src/x.ts')` (#ailab/learner), so a test file can load the
// files named that way in its own import graph, and what those import in turn. verify uses it to
// run a mutant against only the test files that can load what the mutant changed.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** `learner('src/x.ts')` or `learner<typeof M>('src/x.ts')`, with a literal path. */
const LITERAL_CALL = /\blearner\s*(?:<[^\n]*?>)?\s*\(\s*(['"`])([^'"`]+)\1\s*\)/g;
/** Anything that may be a call of `learner`: one this module can't read makes the test file depend on every source. */
const ANY_CALL = /\blearner\s*[<(]/g;

/** Serves the files of `overlay` (relative paths) in place of the lab folder's own. */
function overlayPlugin(labDir: string, overlay: Map<string, Buffer>): Plugin {
  return {
    name: 'ailab-overlay',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        const rel = relative(labDir, args.path).split('\\').join('/');
        const text = overlay.get(rel);
        return text ? { contents: text.toString('utf8'), loader: rel.endsWith('js') ? 'js' : 'ts' } : undefined;
      });
    },
  };
}

/** The lab files (relative to the lab folder) that `entry` imports at run time, itself included. */
async function runtimeInputs(labDir: string, entry: string, overlay: Map<string, Buffer>): Promise<string[]> {
  const result = await build({
    plugins: [overlayPlugin(labDir, overlay)],
    entryPoints: [entry],
    absWorkingDir: labDir,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    external: ['#ailab/*'],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile!.inputs).filter((f) => !f.startsWith('..') && !f.includes('node_modules/'));
}

/**
 * For each test file (relative to the lab folder), the lab sources its run can load in the learner
 * process, with `overlay`'s files (a solution, a mutant) in place of the lab's own, or 'all' when a `learner(...)` call names its file with something other than a literal.
 */
export async function learnerSourcesByTestFile(labDir: string, testFiles: string[], overlay: Map<string, Buffer> = new Map()): Promise<Map<string, Set<string> | 'all'>> {
  const sourcesOf = new Map<string, Promise<string[]>>();
  const out = new Map<string, Set<string> | 'all'>();
  for (const testFile of testFiles) {
    const sides = await runtimeInputs(labDir, testFile, overlay);
    const named: string[] = [];
    let computed = false;
    for (const file of sides) {
      const text = readFileSync(join(labDir, file), 'utf8');
      const literal = [...text.matchAll(LITERAL_CALL)].map((m) => m[2]);
      if ((text.match(ANY_CALL)?.length ?? 0) > literal.length) computed = true;
      named.push(...literal);
    }
    if (computed) {
      out.set(testFile, 'all');
      continue;
    }
    // What the test file imports itself counts too: a lab whose tests import its sources directly
    // (no boundary) loads them in the checks' own process.
    const sources = new Set<string>(sides);
    for (const entry of named) {
      if (!sourcesOf.has(entry)) sourcesOf.set(entry, runtimeInputs(labDir, entry, overlay));
      for (const f of await sourcesOf.get(entry)!) sources.add(f);
    }
    out.set(testFile, sources);
  }
  return out;
}
