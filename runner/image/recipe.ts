import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bump when the way images are assembled changes, so old images are rebuilt. */
const RECIPE_VERSION = '1';

/** The repository name of sandbox images. */
export const IMAGE_REPO = 'ailab-sandbox';

/** How an image is made: from the host's Node runtime (offline) or from docker/Dockerfile. */
export type ImageMode = 'offline' | 'dockerfile';

/** The mode used when none is asked for: offline on Linux, where the host runtime can be copied. */
export function defaultImageMode(): ImageMode {
  const asked = process.env.AILAB_IMAGE_MODE;
  if (asked === 'offline' || asked === 'dockerfile') return asked;
  return process.platform === 'linux' ? 'offline' : 'dockerfile';
}

/** The content-hash tag: it changes when Node, the dependencies, the Dockerfile or the recipe change. */
export function imageTag(root: string, mode: ImageMode): string {
  const h = createHash('sha256');
  h.update(`recipe ${RECIPE_VERSION}\nmode ${mode}\n`);
  if (mode === 'offline') h.update(`node ${process.version} ${process.platform} ${process.arch}\n`);
  for (const file of ['package-lock.json', 'package.json', 'docker/Dockerfile']) {
    const path = join(root, file);
    h.update(`${file}\n`);
    if (existsSync(path)) h.update(readFileSync(path));
  }
  return `${IMAGE_REPO}:${h.digest('hex').slice(0, 16)}`;
}
