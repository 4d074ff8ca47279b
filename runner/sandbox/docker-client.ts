import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { SandboxError, UsageError } from '../core/errors.ts';
import { settlingAgent } from './docker-agent.ts';

/** TLS files for a tcp:// host: Docker's ca.pem, cert.pem and key.pem. */
export interface HostTls {
  ca: string;
  cert: string;
  key: string;
}

/** Where each client connects, for messages and per-host locks. */
const targets = new WeakMap<Docker, string>();

/**
 * The dockerode options for one host URL: `unix:///path`, `tcp://host:port` (TLS with `tls`, or
 * when DOCKER_TLS_VERIFY is set, from DOCKER_CERT_PATH as the docker CLI does), or
 * `ssh://user@host[:port]`. Throws a usage error for anything else.
 */
function optionsFor(url: string, tls?: HostTls): Docker.DockerOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a Docker host URL.`, 'Use unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST.');
  }
  if (parsed.protocol === 'unix:') return { socketPath: parsed.pathname };
  // ssh: keys from the ssh-agent, as docker-modem does for DOCKER_HOST; the remote runs `docker system dial-stdio`.
  if (parsed.protocol === 'ssh:') return { protocol: 'ssh', host: parsed.hostname, port: parsed.port || 22, username: decodeURIComponent(parsed.username) || undefined, sshOptions: { agent: process.env.SSH_AUTH_SOCK } } as Docker.DockerOptions;
  if (parsed.protocol === 'tcp:') {
    const certDir = process.env.DOCKER_CERT_PATH ?? join(homedir(), '.docker');
    const files = tls ?? (process.env.DOCKER_TLS_VERIFY ? { ca: join(certDir, 'ca.pem'), cert: join(certDir, 'cert.pem'), key: join(certDir, 'key.pem') } : undefined);
    const port = parsed.port || (files ? '2376' : '2375');
    if (!files) return { host: parsed.hostname, port, protocol: 'http' };
    const read = (what: string, path: string) => {
      try {
        return readFileSync(path);
      } catch {
        throw new UsageError(`The TLS ${what} for ${url} cannot be read: ${path}.`, 'Point DOCKER_CERT_PATH (or the hosts file\'s tls paths) at the folder holding ca.pem, cert.pem and key.pem.');
      }
    };
    return { host: parsed.hostname, port, protocol: 'https', ca: read('CA', files.ca), cert: read('certificate', files.cert), key: read('key', files.key) };
  }
  throw new UsageError(`"${url}" is not a Docker host URL: ${parsed.protocol}// is not supported.`, 'Use unix://, tcp:// (with TLS) or ssh://.');
}

/**
 * A dockerode client whose calls all settle if the daemon dies: for `url` (with `tls`), or else for
 * DOCKER_HOST (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), or the local socket.
 */
export function dockerClient(url?: string, tls?: HostTls): Docker {
  const docker = url ? new Docker(optionsFor(url, tls)) : new Docker();
  const modem = docker.modem as { protocol?: string; agent?: unknown };
  // ssh:// brings its own agent; http covers unix sockets and plain tcp.
  if (modem.protocol === 'http' || modem.protocol === 'https') modem.agent = settlingAgent(modem.protocol);
  if (url) targets.set(docker, url);
  return docker;
}

/** Where a client connects (by default, where DOCKER_HOST points), for messages. */
export function dockerTarget(docker?: Docker): string {
  return (docker && targets.get(docker)) || process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
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
      `No Docker daemon answers at ${dockerTarget(docker)}.`,
      'Start Docker (e.g. `sudo systemctl start docker`, or `sudo dockerd &`), check `docker info`, or run unisolated with `--sandbox local`.',
    );
  }
}
