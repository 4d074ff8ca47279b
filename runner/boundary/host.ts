// The learner process: the only place learner code runs in a graded run. The checks' worker
// starts it (spawn.ts) under another user id in Docker and under Node's permission model, and
// talks to it over fd 3. It loads the lab's TypeScript from the sources the runner compiled
// (sources.json), refuses imports the lab's policy leaves out, and exposes the modules.
// Bundled to one CommonJS file by build.ts; nothing here is trusted by the checks.
import { readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { relative, resolve, sep } from 'node:path';
import { bindParentPipe } from '../rpc/stream.ts';
import { exposeModules } from './expose.ts';
import { checkImport, type LearnerPolicy } from './policy.ts';

/** One compiled source: its CommonJS code, or the compiler's message. */
type Source = { code: string } | { error: string };

// The kernel's OOM killer picks this process first, so a memory bomb never takes the checks with it.
try {
  writeFileSync('/proc/self/oom_score_adj', '1000');
} catch {
  // not Linux, or not allowed: the heap limit still holds
}

const root = resolve(process.env.AILAB_RUN_ROOT ?? '.');
const read = (name: string) => JSON.parse(readFileSync(resolve(root, '.ailab-learner', name), 'utf8'));
const policy = read('policy.json') as LearnerPolicy;
const sources = read('sources.json') as Record<string, Source>;
const labDir = resolve(root, policy.labDir);

type Loader = (module: { _compile(code: string, filename: string): void }, filename: string) => void;
const internals = Module as unknown as {
  _extensions: Record<string, Loader>;
  _load: (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => unknown;
};

internals._extensions['.ts'] = (module, filename) => {
  const rel = relative(root, filename).split(sep).join('/');
  const source = sources[rel];
  if (!source) throw new Error(`${rel} is not one of the lab's source files, so it cannot be loaded`);
  if ('error' in source) throw new SyntaxError(source.error);
  module._compile(source.code, filename);
};

// Module._load, not _resolveFilename: Node loads a `node:` built-in before it resolves anything.
const loadModule = internals._load;
internals._load = function (request, parent, ...rest) {
  checkImport(request, parent?.filename, root, policy);
  return loadModule.call(this, request, parent, ...rest);
};

bindParentPipe({
  expose: exposeModules(async (file) => {
    // require(), not import(): the .ts loader above is a CommonJS one (ESM loader hooks would need a worker thread).
    const path = resolve(labDir, file);
    checkImport(path, resolve(labDir, 'index.ts'), root, policy);
    return (Module.createRequire(resolve(labDir, 'index.ts')) as NodeRequire)(path) as Record<string, unknown>;
  }) as never,
  timeoutMs: Infinity,
  onClose: () => process.exit(0),
});
