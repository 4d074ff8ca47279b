// Containers laid out like a grading platform's, for the export bundles' tests. Their images are
// built offline from this machine's bash and coreutils (and Node, for PrairieLearn's image, as
// node:20-bookworm-slim has it at /usr/local/bin/node) and `docker import`ed: no registry, no
// bind mount of this machine's files. Files go in and out with `docker cp`; scripts run as root.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import tar from 'tar-fs';
import yauzl from 'yauzl';
import { nativeFiles, sharedLibraries } from '../../runner/image/offline.ts';
import { ROOT } from './cli.ts';

/** The commands the bundles' scripts (and Gradescope's own harness steps) use. */
const TOOLS = ['bash', 'sh', 'env', 'chmod', 'mkdir', 'cp', 'rm', 'cat', 'ls', 'id', 'sleep'];

/** A tool's real file on this machine, as the image copies it. */
function toolPath(tool: string): string {
  const dir = ['/usr/bin', '/bin', '/usr/local/bin'].find((d) => existsSync(join(d, tool)));
  if (!dir) throw new Error(`${tool} is not on this machine`);
  return realpathSync(join(dir, tool));
}

/** Builds (once per content) the image of a platform: Gradescope's (no Node) or PrairieLearn's (Node at /usr/local/bin). */
export async function platformImage(kind: 'gradescope' | 'prairielearn'): Promise<string> {
  const tools = TOOLS.map((t) => ({ at: `/usr/bin/${t}`, from: toolPath(t) }));
  const node = kind === 'prairielearn' ? [{ at: '/usr/local/bin/node', from: process.execPath }] : [];
  // Both platforms' images have the system libraries that Node and the native packages link to: so do these.
  const libs = (await sharedLibraries([...tools.map((t) => t.from), ...nativeFiles(join(ROOT, 'node_modules'))])).map((lib) => ({ at: lib, from: realpathSync(lib) }));
  const files = [...tools, ...node, ...libs];
  const key = createHash('sha256').update(JSON.stringify(files.map((f) => [f.at, statSync(f.from).size, statSync(f.from).mtimeMs]))).digest('hex').slice(0, 12);
  const tag = `ailab-test-${kind}:${key}`;
  if ((await execa('docker', ['image', 'inspect', tag], { reject: false })).exitCode === 0) return tag;
  const rootfs = mkdtempSync(join(tmpdir(), `ailab-${kind}-rootfs-`));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(rootfs, f.at)), { recursive: true });
      copyFileSync(f.from, join(rootfs, f.at));
      chmodSync(join(rootfs, f.at), 0o755);
    }
    mkdirSync(join(rootfs, 'bin'));
    for (const t of TOOLS) copyFileSync(join(rootfs, 'usr/bin', t), join(rootfs, 'bin', t));
    for (const dir of ['tmp', 'root', 'etc', 'proc', 'dev', 'sys']) mkdirSync(join(rootfs, dir), { recursive: true });
    writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    const pack = tar.pack(rootfs, {
      map: (header) => {
        header.uid = 0;
        header.gid = 0;
        if (header.name === 'tmp' || header.name === 'tmp/') header.mode = 0o41777;
        return header;
      },
    });
    const imported = execa('docker', ['import', '--change', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--change', 'ENV HOME=/root', '-', tag], { stdin: 'pipe' });
    pack.pipe(imported.stdin!);
    await imported;
    return tag;
  } finally {
    rmSync(rootfs, { recursive: true, force: true });
  }
}

/** A running container of a platform image, with no network, that the test drives as root. */
export class PlatformContainer {
  private constructor(readonly id: string) {}

  static async start(image: string): Promise<PlatformContainer> {
    const { stdout } = await execa('docker', ['run', '-d', '--rm', '--network', 'none', '--user', '0:0', '--label', 'ailab.test=platform', image, 'sleep', 'infinity']);
    return new PlatformContainer(stdout.trim());
  }

  /** Runs a command (as root unless `user` says otherwise); never throws on its exit code. */
  exec(args: string[], opts: { workdir?: string; env?: Record<string, string>; user?: string } = {}) {
    const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    return execa('docker', ['exec', ...(opts.workdir ? ['--workdir', opts.workdir] : []), ...(opts.user ? ['--user', opts.user] : []), ...env, this.id, ...args], { reject: false, timeout: 340_000 });
  }

  /** Copies a host folder's contents into the container at `to` (created). */
  async putDir(from: string, to: string): Promise<void> {
    await this.exec(['mkdir', '-p', to]);
    await execa('docker', ['cp', `${from}/.`, `${this.id}:${to}`]);
  }

  /** A file's text from the container, or undefined when it is not there. */
  async read(path: string): Promise<string | undefined> {
    const r = await this.exec(['cat', path]);
    return r.exitCode === 0 ? r.stdout : undefined;
  }

  async stop(): Promise<void> {
    await execa('docker', ['rm', '-f', this.id], { reject: false });
  }
}

/** Extracts a zip as Gradescope does, keeping each entry's mode. */
export async function unzip(zip: string, into: string): Promise<void> {
  const archive = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(zip, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z!))));
  await new Promise<void>((resolve, reject) => {
    archive.on('error', reject);
    archive.on('end', resolve);
    archive.on('entry', (entry: yauzl.Entry) => {
      const target = join(into, entry.fileName);
      if (entry.fileName.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        archive.readEntry();
        return;
      }
      mkdirSync(dirname(target), { recursive: true });
      archive.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        pipeline(stream!, createWriteStream(target)).then(() => {
          const mode = (entry.externalFileAttributes >>> 16) & 0o777;
          if (mode) chmodSync(target, mode);
          archive.readEntry();
        }, reject);
      });
    });
    archive.readEntry();
  });
}
