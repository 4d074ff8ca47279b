import Docker from 'dockerode';
import { SandboxError } from '../core/errors.ts';
import { settlingAgent } from './docker-agent.ts';

/** A dockerode client for DOCKER_HOST, or the local socket, whose calls all settle if the daemon dies. */
export function dockerClient(): Docker {
  const docker = new Docker();
  const modem = docker.modem as { protocol?: string; agent?: unknown };
  // ssh:// brings its own agent; http covers unix sockets and plain tcp.
  if (modem.protocol === 'http' || modem.protocol === 'https') modem.agent = settlingAgent(modem.protocol);
  return docker;
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

/** Pings until the daemon answers or `timeoutMs` is up, backing off from 250 ms to 2 s; true when it answers. */
export async function waitForDocker(docker: Docker, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(2000, delay * 2)) {
    if (await dockerAnswers(docker, Math.max(100, Math.min(2000, deadline - Date.now())))) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(delay, left)));
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
