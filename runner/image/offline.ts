import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import tar from 'tar-fs';
import { SandboxError } from '../core/errors.ts';
import { TREE_UID } from '../sandbox/docker.ts';
import { IMAGE_REPO } from './recipe.ts';

/** Native files (the node binary and .node addons) whose shared libraries the image needs. */
export function nativeFiles(nodeModules: string): string[] {
  const found: string[] = [process.execPath];
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.isFile() && entry.name.endsWith('.node')) found.push(path);
    }
  };
  walk(nodeModules, 0);
  return found;
}

/** The shared libraries (and the ELF loader) that `ldd` lists for the given files. */
export async function sharedLibraries(files: string[]): Promise<string[]> {
  const libs = new Set<string>();
  for (const file of files) {
    const { stdout, exitCode } = await execa('ldd', [file], { reject: false });
    if (exitCode !== 0) continue; // statically linked, or not for this platform
    for (const line of stdout.split('\n')) {
      const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
      if (m) libs.add(m[1]);
    }
  }
  return [...libs].sort();
}

/** Copies a file to the same path under rootfs, following symlinks to the real bytes. */
function place(rootfs: string, hostPath: string, mode?: number): void {
  const target = join(rootfs, hostPath);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(hostPath), target);
  if (mode !== undefined) chmodSync(target, mode);
}

/** Assembles a rootfs in `workDir` (private to this build; the caller removes it) from the host's Node runtime and node_modules, then `docker import`s it as `tag`. */
export async function buildOfflineImage(
  docker: Docker,
  opts: { root: string; tag: string; workDir: string; onProgress: (step: string) => void },
): Promise<void> {
  if (process.platform !== 'linux') {
    throw new SandboxError('E_IMAGE_BUILD', 'The offline image builder needs a Linux host.', 'Use `ailab image build --mode dockerfile` on this machine.');
  }
  if (!existsSync(join(opts.root, 'node_modules', 'vitest'))) {
    throw new SandboxError('E_IMAGE_BUILD', 'node_modules/vitest is missing, so there is nothing to put in the image.', 'Run `npm install` first.');
  }
  // A symlinked node_modules (a shared install, a student copy linked to the course's) is followed
  // to its real files: copying the link itself would leave a dead /node_modules in the image.
  const nodeModules = realpathSync(join(opts.root, 'node_modules'));
  // The caller's private folder: no other build ever writes here.
  const rootfs = opts.workDir;
  mkdirSync(rootfs, { recursive: true });
  try {
    opts.onProgress('collecting the Node runtime and its shared libraries');
    mkdirSync(join(rootfs, 'usr/local/bin'), { recursive: true });
    copyFileSync(process.execPath, join(rootfs, 'usr/local/bin/node'));
    chmodSync(join(rootfs, 'usr/local/bin/node'), 0o755);
    const libs = await sharedLibraries(nativeFiles(nodeModules));
    for (const lib of libs) place(rootfs, lib, 0o755);

    opts.onProgress(`linking node_modules (${libs.length} shared libraries copied)`);
    // Hard links where the filesystem allows (fast), copies otherwise.
    const link = await execa('cp', ['-al', nodeModules, join(rootfs, 'node_modules')], { reject: false });
    if (link.exitCode !== 0) await execa('cp', ['-a', nodeModules, join(rootfs, 'node_modules')]);
    rmSync(join(rootfs, 'node_modules/.vite'), { recursive: true, force: true });
    rmSync(join(rootfs, 'node_modules/.vite-temp'), { recursive: true, force: true });

    for (const dir of ['tmp', 'lab', 'etc', 'proc', 'dev', 'sys']) mkdirSync(join(rootfs, dir), { recursive: true });
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\nlearner:x:1000:1000:learner:/tmp:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n');
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nlearner:x:1000:\nnogroup:x:65534:\n');

    opts.onProgress('packing the root filesystem and importing it into Docker');
    const stream = tar.pack(rootfs, {
      map: (header) => {
        header.uid = 0;
        header.gid = 0;
        // tar-fs masks modes with the umask; /tmp must stay world-writable and sticky, because
        // Docker gives the tmpfs mounted over it the mode of the directory underneath.
        if (header.name === 'tmp' || header.name === 'tmp/') header.mode = 0o41777;
        // A run's volume at /lab takes this owner: the tree's, so no process in the container can write there.
        if (header.name === 'lab' || header.name === 'lab/') {
          header.uid = TREE_UID;
          header.gid = TREE_UID;
          header.mode = 0o40755;
        }
        return header;
      },
    });
    const [repo, tag] = opts.tag.split(':');
    const importOpts = {
      repo: repo ?? IMAGE_REPO,
      tag,
      changes: ['LABEL ailab=1', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', 'USER 1000:1000', 'WORKDIR /lab', 'CMD ["node"]'],
    };
    const progress = (await docker.importImage(stream, importOpts as object)) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(progress, (err: Error | null, events: any[]) => {
        const failed = events?.find((e) => e.error);
        if (err || failed) reject(err ?? new Error(failed.error));
        else resolve();
      });
    });
  } catch (cause) {
    if (cause instanceof SandboxError) throw cause;
    throw new SandboxError('E_IMAGE_BUILD', `Building the offline sandbox image failed: ${(cause as Error).message}`, 'Run `npm run lab -- doctor`, then `npm run lab -- image build` to retry with full output.', { cause });
  }
}
