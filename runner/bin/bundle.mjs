// The runner, precompiled: esbuild bundles runner/cli.ts into runner/.dist/<key>/ the first time
// it runs and again whenever a runner source changes, so a command starts with plain Node instead
// of compiling TypeScript through tsx's loader on every call. The key is a digest of every source
// file's path, size and mtime (a few ms to stat). When the bundle can't be built (a read-only
// checkout, esbuild missing), the runner runs from source through tsx, as before.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const RUNNER = join(import.meta.dirname, '..');
const DIST = join(RUNNER, '.dist');
/** Bump when the build options below change, so every checkout rebuilds. */
const BUILD_VERSION = 2;

/**
 * Modules that export one function and load a heavy part of the Docker client that the runner
 * rarely needs: dockerode's BuildKit session (gRPC and protobufjs, never used) and docker-modem's
 * SSH transport (ssh2, only for an ssh:// DOCKER_HOST). Each becomes a stub that loads the real
 * module from node_modules on its first call, so a command doesn't load them at start-up.
 */
const LAZY = ['dockerode/lib/session.js', 'docker-modem/lib/ssh.js'];

/**
 * What stays in node_modules, loaded by Node at run time: packages with native parts or that spawn
 * binaries (esbuild), that read their own files (typescript), or that the runner never bundles
 * (vitest and tsx run the checks and the source fallback), or that only BuildKit needs (protobufjs,
 * required by dockerode inside the build call the runner never makes). Every other package goes into the
 * bundle: one file each command loads, instead of hundreds resolved one by one (`check` starts
 * about 0.3 s sooner).
 */
const EXTERNAL = ['esbuild', 'typescript', 'vitest', 'vitest/*', 'vite', 'tsx', 'tsx/*', 'fsevents', 'cpu-features', '*.node', 'protobufjs', ...LAZY];

const lazyModules = {
  name: 'lazy-modules',
  setup(b) {
    for (const spec of LAZY) {
      const filter = new RegExp(`[\\\\/]${spec.replace(/[.]/g, '\\.').replace(/\//g, '[\\\\/]')}$`);
      b.onLoad({ filter }, () => ({ contents: `module.exports = function () { return require(${JSON.stringify(spec)}).apply(this, arguments); };`, loader: 'js' }));
    }
  },
};

/** A digest of the runner's sources: path, size and mtime of each file the bundle may include. */
export function sourceKey(dir = RUNNER) {
  const h = createHash('sha256').update(`build ${BUILD_VERSION} ${process.version}\n`);
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === '.dist' || entry.name === 'node_modules') continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|mts|cts|js|mjs|cjs|json)$/.test(entry.name)) {
        const s = statSync(path);
        h.update(`${path.slice(dir.length)} ${s.size} ${s.mtimeMs}\n`);
      }
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

/** Builds the bundle into runner/.dist/<key>/ (through a private folder, renamed into place) and returns it. */
async function build(key) {
  const out = join(DIST, key);
  const work = join(DIST, `.${key}-${process.pid}-${Date.now()}`);
  mkdirSync(DIST, { recursive: true });
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(RUNNER, 'cli.ts')],
    outdir: work,
    bundle: true,
    splitting: true, // each command's module stays a lazy import
    format: 'esm',
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    external: EXTERNAL,
    plugins: [lazyModules],
    // The bundled CommonJS packages call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __ailabRequire } from 'node:module'; const require = __ailabRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  try {
    renameSync(work, out);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another process put the same bundle there first
  }
  // Older bundles are stale by construction.
  for (const name of readdirSync(DIST)) {
    if (name !== key && !name.startsWith('.')) rmSync(join(DIST, name), { recursive: true, force: true });
  }
  return out;
}

/** The runner's main(), from the bundle when it is there or can be built, else from source through tsx. */
export async function loadRunner() {
  if (process.env.AILAB_FROM_SOURCE !== '1') {
    try {
      const key = sourceKey();
      const dir = existsSync(join(DIST, key, 'cli.js')) ? join(DIST, key) : await build(key);
      return await import(pathToFileURL(join(dir, 'cli.js')).href);
    } catch {
      // fall through to the source
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../cli.ts');
}
