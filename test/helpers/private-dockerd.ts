import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { unmountUnder } from './mounts.ts';

/** Unix socket paths are limited to ~108 bytes, and containerd's sockets live under the exec root. */
function shortTemp(prefix: string): string {
  const base = tmpdir().length <= 40 ? tmpdir() : '/tmp';
  return mkdtempSync(join(base, prefix));
}

/** A free TCP port on 127.0.0.1 (closed again at once, so a daemon can take it). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A second Docker daemon of our own (the machine's daemon is shared by every other test): its own
 * socket, data root, exec root and managed containerd, no bridge, no iptables changes. It can be
 * killed and started again on the same data root, as a host's daemon restart would.
 *
 * `remote: true` makes it stand in for another machine: it listens on TCP on 127.0.0.1 and runs
 * in a mount namespace of its own with a tmpfs over /tmp, so it cannot see this machine's temp
 * files (where run trees are staged), exactly as a remote host couldn't. Its folders are then kept
 * out of /tmp, which it would not see either.
 */
export class PrivateDockerd {
  readonly dir: string;
  readonly socket: string;
  host: string;
  docker: Docker;
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private readonly log: string;

  /** With `tls`: the client's ca.pem, cert.pem and key.pem, as DOCKER_CERT_PATH expects them. */
  readonly certDir: string;

  constructor(private readonly opts: { remote?: boolean; tls?: boolean } = {}) {
    this.dir = opts.remote ? mkdtempSync('/var/tmp/ailab-dkd-') : shortTemp('ailab-dkd-');
    this.socket = join(this.dir, 'd.sock');
    this.host = `unix://${this.socket}`;
    this.docker = new Docker({ socketPath: this.socket });
    this.log = join(this.dir, 'dockerd.log');
    this.certDir = join(this.dir, 'certs');
  }

  /** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
  private makeCerts(): void {
    const d = this.certDir;
    mkdirSync(d, { recursive: true });
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=ailab-test-ca');
    writeFileSync(join(d, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    writeFileSync(join(d, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'server-cert.pem', '-days', '2', '-extfile', 'server.ext');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'client.csr', '-subj', '/CN=ailab-test-client');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'client.ext');
  }

  /** The daemon's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Starts dockerd (again, on the same data root) and waits until it answers. */
  async start(timeoutMs = 60_000): Promise<void> {
    writeFileSync(join(this.dir, 'daemon.json'), '{}\n'); // never the machine's /etc/docker/daemon.json
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    const log = openSync(this.log, 'a');
    const tag = this.dir.split('-').at(-1);
    if (this.opts.remote && !this.host.startsWith('tcp://')) {
      const port = await freePort();
      this.host = `tcp://127.0.0.1:${port}`;
      if (this.opts.tls) {
        this.makeCerts();
        const pem = (f: string) => readFileSync(join(this.certDir, f));
        this.docker = new Docker({ host: '127.0.0.1', port, protocol: 'https', ca: pem('ca.pem'), cert: pem('cert.pem'), key: pem('key.pem') });
      } else this.docker = new Docker({ host: '127.0.0.1', port, protocol: 'http' });
    }
    const args = [
      `--host=${this.host}`,
      `--data-root=${join(this.dir, 'data')}`,
      `--exec-root=${join(this.dir, 'x')}`,
      `--pidfile=${join(this.dir, 'd.pid')}`,
      `--config-file=${join(this.dir, 'daemon.json')}`,
      // If a system containerd is shared instead of a managed one, keep to our own namespace.
      `--containerd-namespace=ailab-test-${tag}`,
      `--containerd-plugins-namespace=ailab-test-${tag}-plugins`,
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--ip-forward=false',
      ...(this.opts.tls ? ['--tlsverify', `--tlscacert=${join(this.certDir, 'ca.pem')}`, `--tlscert=${join(this.certDir, 'server-cert.pem')}`, `--tlskey=${join(this.certDir, 'server-key.pem')}`] : []),
    ];
    // A private mount namespace whose /tmp is empty: the daemon sees none of this machine's temp files.
    const [command, argv] = this.opts.remote
      ? ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=64m,mode=1777 tmpfs /tmp && exec dockerd "$@"', 'dockerd', ...args]]
      : ['dockerd', args];
    this.child = spawn(command, argv, { stdio: ['ignore', log, log] });
    closeSync(log);
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) break;
      try {
        await this.docker.ping();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`the private dockerd did not answer at ${this.host}; its log ends:\n${this.logTail()}`);
  }

  /** Kills the daemon with a signal and waits for it to exit. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.pid === undefined) return;
    this.child!.kill(signal);
    await this.exited;
  }

  /** Stops the daemon (SIGTERM, then SIGKILL after 20 s), unmounts what it left and removes its folders. */
  async destroy(): Promise<void> {
    if (this.pid !== undefined) {
      this.child!.kill('SIGTERM');
      const stopped = await Promise.race([this.exited!.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
      if (!stopped) await this.kill('SIGKILL');
    }
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Copies an image from another daemon into this one: docker save | docker load, through the API. */
  async copyImage(from: Docker, tag: string): Promise<void> {
    const progress = await this.docker.loadImage(await from.getImage(tag).get());
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(progress, (err: Error | null, events: { error?: string }[]) => {
        const failed = events?.find((e) => e.error);
        if (err || failed) reject(err ?? new Error(failed!.error));
        else resolve();
      });
    });
  }

  /** The end of dockerd's log, for failure messages. */
  logTail(lines = 30): string {
    return existsSync(this.log) ? readFileSync(this.log, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no log)';
  }
}
