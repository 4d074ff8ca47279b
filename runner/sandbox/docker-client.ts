import Docker from 'dockerode';
import { SandboxError } from '../core/errors.ts';

/** A dockerode client for DOCKER_HOST, or the local socket. */
export function dockerClient(): Docker {
  return new Docker();
}

/** Where the client connects, for messages. */
export function dockerTarget(): string {
  return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** True when a Docker daemon answers a ping within the time limit. */
export async function dockerAnswers(docker: Docker, timeoutMs = 2000): Promise<boolean> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('ping timed out')), timeoutMs).unref()),
    ]);
    return true;
  } catch {
    return false;
  }
}

/** Throws a clear error when no daemon answers. */
export async function requireDocker(docker: Docker): Promise<void> {
  if (!(await dockerAnswers(docker))) {
    throw new SandboxError(
      'E_DOCKER_UNAVAILABLE',
      `No Docker daemon answers at ${dockerTarget()}.`,
      'Start Docker (e.g. `sudo systemctl start docker`, or `sudo dockerd &`), check `docker info`, or run unisolated with `--sandbox local`.',
    );
  }
}
