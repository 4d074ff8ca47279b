import { join } from 'node:path';
import type Docker from 'dockerode';
import { buildDockerfileImage } from './dockerfile.ts';
import { buildOfflineImage } from './offline.ts';
import { defaultImageMode, IMAGE_REPO, imageTag, type ImageMode } from './recipe.ts';

/** True when the image with this tag exists in the daemon. */
export async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Builds the sandbox image with the given mode and returns its tag. */
export async function buildImage(
  docker: Docker,
  opts: { root: string; mode?: ImageMode; onProgress: (step: string) => void },
): Promise<string> {
  const mode = opts.mode ?? defaultImageMode();
  const tag = imageTag(opts.root, mode);
  if (mode === 'offline') {
    const workDir = join(opts.root, '.ailab', 'image-build', tag.split(':')[1]);
    await buildOfflineImage(docker, { root: opts.root, tag, workDir, onProgress: opts.onProgress });
  } else {
    await buildDockerfileImage(docker, { root: opts.root, tag, onProgress: opts.onProgress });
  }
  return tag;
}

/** Returns the current image's tag, building it first when it is missing. */
export async function ensureImage(
  docker: Docker,
  opts: { root: string; mode?: ImageMode; onProgress: (step: string) => void },
): Promise<string> {
  const tag = imageTag(opts.root, opts.mode ?? defaultImageMode());
  if (await imageExists(docker, tag)) return tag;
  opts.onProgress(`the sandbox image ${tag} is not built yet; building it now (once)`);
  return buildImage(docker, opts);
}

/** Every ailab sandbox image in the daemon, newest first. */
export async function listImages(docker: Docker): Promise<{ tag: string; id: string; created: number; sizeMb: number }[]> {
  const images: Docker.ImageInfo[] = await docker.listImages({ filters: { reference: [IMAGE_REPO] } });
  return images
    .flatMap((img) => (img.RepoTags ?? []).map((tag) => ({ tag, id: img.Id, created: img.Created, sizeMb: Math.round(img.Size / 1e6) })))
    .sort((a, b) => b.created - a.created);
}
