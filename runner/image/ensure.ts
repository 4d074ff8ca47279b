import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { SandboxError } from '../core/errors.ts';
import { waitForLock } from '../core/lock.ts';
import { dockerTarget } from '../sandbox/docker-client.ts';
import { buildDockerfileImage } from './dockerfile.ts';
import { buildOfflineImage } from './offline.ts';
import { probeImage } from './probe.ts';
import { CANDIDATE_REPO, defaultImageMode, IMAGE_REPO, imageTag, type ImageMode } from './recipe.ts';

/** True when the image with this tag exists in the daemon. */
export async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

/** When buildImage may keep an image the tag already names instead of building one. */
export type Reuse = 'exists' | 'proven' | 'never';

/** Options of buildImage and ensureImage. */
export interface BuildOptions {
  root: string;
  mode?: ImageMode;
  onProgress: (step: string) => void;
}

/** The folder for build locks and private build folders: the course's .ailab/, or the temp folder when that is read-only. */
function buildBase(root: string): string {
  const base = join(root, '.ailab', 'image-build');
  try {
    mkdirSync(base, { recursive: true });
    accessSync(base, constants.W_OK);
    return base;
  } catch {
    const fallback = join(tmpdir(), 'ailab-image-build');
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

/**
 * Builds `tag` as a candidate image, runs the probe in it, and only then points the tag at it.
 * The caller holds the build lock, so nothing else builds this tag on this daemon meanwhile.
 */
async function buildProven(docker: Docker, opts: BuildOptions & { mode: ImageMode; tag: string; workDir: string }): Promise<void> {
  const [, hash] = opts.tag.split(':');
  const candidate = `${CANDIDATE_REPO}:${hash}-${process.pid}`;
  // Candidates of this tag that a killed build left behind.
  for (const img of await docker.listImages({ filters: { reference: [CANDIDATE_REPO] } })) {
    for (const t of img.RepoTags ?? []) if (t.startsWith(`${CANDIDATE_REPO}:${hash}-`)) await docker.getImage(t).remove().catch(() => undefined);
  }
  try {
    if (opts.mode === 'offline') await buildOfflineImage(docker, { root: opts.root, tag: candidate, workDir: opts.workDir, onProgress: opts.onProgress });
    else await buildDockerfileImage(docker, { root: opts.root, tag: candidate, onProgress: opts.onProgress });
    opts.onProgress('probing the new image: a one-check lab must pass inside it');
    const probe = await probeImage(docker, candidate);
    if (!probe.ok) {
      throw new SandboxError(
        'E_IMAGE_BUILD',
        `The new sandbox image failed its probe, so ${opts.tag} was not set: ${probe.cause}`,
        'Run `npm install` (node_modules may be incomplete), then `npm run lab -- image build --force`; `npm run lab -- doctor` shows what else is wrong.',
      );
    }
    const old = await docker.getImage(opts.tag).inspect().then((i) => i.Id, () => undefined);
    const built = (await docker.getImage(candidate).inspect()).Id;
    await docker.getImage(candidate).tag({ repo: IMAGE_REPO, tag: hash });
    // The image the tag named before (a broken one, on --force) goes, unless a running check still uses it.
    if (old && old !== built) await docker.getImage(old).remove().catch(() => undefined);
  } finally {
    await docker.getImage(candidate).remove().catch(() => undefined);
  }
}

/**
 * Builds the sandbox image with the given mode and returns its tag. One build of a tag runs at a
 * time per daemon, across processes: the others wait (saying so), then look again. `reuse` says
 * when an image the tag already names is kept: when it exists (`exists`), when it passes the
 * probe (`proven`, the default), or never (`never`, for --force).
 */
export async function buildImage(docker: Docker, opts: BuildOptions & { reuse?: Reuse; signal?: AbortSignal }): Promise<{ tag: string; built: boolean }> {
  const mode = opts.mode ?? defaultImageMode();
  const tag = imageTag(opts.root, mode);
  const base = buildBase(opts.root);
  const key = `${tag.split(':')[1]}-${createHash('sha256').update(dockerTarget(docker)).digest('hex').slice(0, 8)}`;
  const release = await waitForLock(join(base, `${key}.lock`), {
    onWait: (pid) => opts.onProgress(`waiting for another build of ${tag} (pid ${pid})…`),
    signal: opts.signal,
  });
  let workDir: string | undefined;
  try {
    const reuse = opts.reuse ?? 'proven';
    if (reuse !== 'never' && (await imageExists(docker, tag))) {
      if (reuse === 'exists') return { tag, built: false };
      opts.onProgress(`probing the existing image ${tag}`);
      const probe = await probeImage(docker, tag);
      if (probe.ok) return { tag, built: false };
      opts.onProgress(`the existing image ${tag} fails its probe (${probe.cause.split('\n')[0]}); rebuilding it`);
    }
    // Only the lock holder builds this tag on this daemon, so other build folders of it were left by killed builds.
    for (const name of readdirSync(base)) if (name.startsWith(`${key}-`)) rmSync(join(base, name), { recursive: true, force: true });
    workDir = mkdtempSync(join(base, `${key}-`));
    await buildProven(docker, { ...opts, mode, tag, workDir });
    return { tag, built: true };
  } finally {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    release();
  }
}

/** Returns the current image's tag, building (and proving) it first when it is missing. */
export async function ensureImage(docker: Docker, opts: BuildOptions & { signal?: AbortSignal }): Promise<string> {
  const tag = imageTag(opts.root, opts.mode ?? defaultImageMode());
  if (await imageExists(docker, tag)) return tag;
  opts.onProgress(`the sandbox image ${tag} is not built yet; building it now (once)`);
  return (await buildImage(docker, { ...opts, reuse: 'exists' })).tag;
}

/** Every ailab sandbox image in the daemon, newest first. */
export async function listImages(docker: Docker): Promise<{ tag: string; id: string; created: number; sizeMb: number }[]> {
  const images: Docker.ImageInfo[] = await docker.listImages({ filters: { reference: [IMAGE_REPO] } });
  return images
    .flatMap((img) => (img.RepoTags ?? []).map((tag) => ({ tag, id: img.Id, created: img.Created, sizeMb: Math.round(img.Size / 1e6) })))
    .sort((a, b) => b.created - a.created);
}
