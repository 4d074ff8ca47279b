import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

/** True when this process may mount filesystems (tests run as root in CI). */
export const canMount = process.getuid?.() === 0;

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((point): point is string => Boolean(point) && (point === dir || point.startsWith(`${dir}/`)));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or under `dir` (lazily when busy), e.g. what a killed dockerd left; mounts can be stacked. */
export function unmountUnder(dir: string): void {
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return;
    for (const point of points) {
      if (spawnSync('umount', [point]).status !== 0) spawnSync('umount', ['-l', point]);
    }
  }
}

/** Mounts a tmpfs of `bytes` (rounded up to pages) at `dir`: a disk that can really fill up. */
export function mountTmpfs(dir: string, bytes: number): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir]);
}
