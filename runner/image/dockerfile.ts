import type Docker from 'dockerode';
import { SandboxError } from '../core/errors.ts';

/** Builds the image from docker/Dockerfile (needs a registry to pull the Node base image). */
export async function buildDockerfileImage(
  docker: Docker,
  opts: { root: string; tag: string; onProgress: (step: string) => void },
): Promise<void> {
  opts.onProgress('building docker/Dockerfile (pulls the Node base image)');
  try {
    const stream = await docker.buildImage(
      { context: opts.root, src: ['docker/Dockerfile', 'package.json', 'package-lock.json'] },
      { t: opts.tag, dockerfile: 'docker/Dockerfile', labels: { ailab: '1' } },
    );
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null, events: any[]) => {
          const failed = events?.find((e) => e.error || e.errorDetail);
          if (err || failed) reject(err ?? new Error(failed.error ?? failed.errorDetail?.message));
          else resolve();
        },
        (event: any) => {
          const line = String(event.stream ?? '').trim();
          if (/^Step \d+\/\d+/.test(line)) opts.onProgress(line);
        },
      );
    });
  } catch (cause) {
    throw new SandboxError(
      'E_IMAGE_BUILD',
      `Building the sandbox image from docker/Dockerfile failed: ${(cause as Error).message.split('\n')[0]}`,
      'This mode pulls node:20-bookworm-slim. Without an image registry, build offline instead: `npm run lab -- image build --mode offline`.',
      { cause },
    );
  }
}
