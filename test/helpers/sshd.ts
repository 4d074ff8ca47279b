import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './private-dockerd.ts';

/**
 * An sshd of our own on 127.0.0.1 that lets root in with a key held by an ssh-agent of our own:
 * `ssh://root@127.0.0.1:PORT` as a Docker host, which runs `docker system dial-stdio` on this
 * machine (its default daemon) as a remote host's sshd would. Needs root and Debian's openssh-server.
 */
export class PrivateSshd {
  readonly dir = mkdtempSync('/var/tmp/ailab-sshd-');
  url = '';
  /** The environment that gives a client the agent's key. */
  readonly env = { SSH_AUTH_SOCK: join(this.dir, 'agent.sock') };
  private sshd?: ChildProcess;
  private agent?: ChildProcess;

  async start(): Promise<void> {
    const key = join(this.dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(this.dir, 'host_key')]);
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(`${key}.pub`), { mode: 0o600 });
    const port = await freePort();
    writeFileSync(
      join(this.dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(this.dir, 'host_key')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        '',
      ].join('\n'),
    );
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation folder
    this.sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(this.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    this.sshd.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    this.agent = spawn('ssh-agent', ['-D', '-a', this.env.SSH_AUTH_SOCK], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
        s.on('error', () => resolve(false));
      });
      if (up) break;
      if (Date.now() > deadline || this.sshd.exitCode !== null) throw new Error(`the private sshd did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (;;) {
      try {
        execFileSync('ssh-add', ['-q', key], { env: { ...process.env, ...this.env }, stdio: 'pipe' });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.url = `ssh://root@127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const child of [this.sshd, this.agent]) if (child && child.exitCode === null) child.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
