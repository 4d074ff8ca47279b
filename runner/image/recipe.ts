import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bump when the way images are assembled changes, so old images are rebuilt. 2: node_modules is
 * followed through a symlink, the installed tree is in the tag, and a tag is only set after the probe.
 * 3: /lab is owned by the run tree's owner (TREE_UID), whose copy goes into a volume there.
 */
const RECIPE_VERSION = '3';

/** The public Node image of this machine's major version, as docker/Dockerfile starts FROM: for pods and PrairieLearn's grading jobs. */
export const NODE_IMAGE = `node:${process.versions.node.split('.')[0]}-bookworm-slim`;

/** The repository name of sandbox images. */
export const IMAGE_REPO = 'ailab-sandbox';

/** The repository name of an image still being built or probed: never run as a sandbox. */
export const CANDIDATE_REPO = 'ailab-sandbox-candidate';

/** How an image is made: from the host's Node runtime (offline) or from docker/Dockerfile. */
export type ImageMode = 'offline' | 'dockerfile';

/** The mode used when none is asked for: offline on Linux, where the host runtime can be copied. */
export function defaultImageMode(): ImageMode {
  const asked = process.env.AILAB_IMAGE_MODE;
  if (asked === 'offline' || asked === 'dockerfile') return asked;
  return process.platform === 'linux' ? 'offline' : 'dockerfile';
}

/**
 * What is installed in node_modules, cheaply: npm's own record of the installed tree
 * (node_modules/.package-lock.json, read through a symlinked node_modules), or, without one, each
 * top-level package's name and version. Never a walk of the whole tree.
 */
function installedTree(root: string): string {
  const modules = join(root, 'node_modules');
  const record = join(modules, '.package-lock.json');
  if (existsSync(record)) return readFileSync(record, 'utf8');
  if (!existsSync(modules)) return '(no node_modules)';
  const lines: string[] = [];
  const version = (dir: string) => {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
    } catch {
      return '?';
    }
  };
  for (const name of readdirSync(modules).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) {
      for (const sub of readdirSync(join(modules, name)).sort()) lines.push(`${name}/${sub}@${version(join(modules, name, sub))}`);
    } else lines.push(`${name}@${version(join(modules, name))}`);
  }
  return lines.join('\n');
}

/**
 * The content-hash tag: it changes when Node, the dependencies (declared and installed), the
 * Dockerfile or the recipe change.
 */
export function imageTag(root: string, mode: ImageMode): string {
  const h = createHash('sha256');
  h.update(`recipe ${RECIPE_VERSION}\nmode ${mode}\n`);
  if (mode === 'offline') h.update(`node ${process.version} ${process.platform} ${process.arch}\n`);
  for (const file of ['package-lock.json', 'package.json', 'docker/Dockerfile']) {
    const path = join(root, file);
    h.update(`${file}\n`);
    if (existsSync(path)) h.update(readFileSync(path));
  }
  // The Dockerfile installs its own node_modules from the lock file; offline copies this machine's.
  if (mode === 'offline') h.update(`installed\n${installedTree(root)}`);
  return `${IMAGE_REPO}:${h.digest('hex').slice(0, 16)}`;
}
