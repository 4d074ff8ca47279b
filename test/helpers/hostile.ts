// Helpers for running hostile fixture submissions through the real CLI: preparing a fixture in a
// temp folder, and watching a run from the host (the CLI's memory, its containers, stray processes).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Results } from '../../runner/results/schema.ts';

/** What a fixture's expected.json may say; fixtures/submissions/README.md documents each field. */
export interface Golden {
  /** The results' status; with a list, any one of them (a loaded machine may run no check in time). */
  status?: Results['status'] | Results['status'][];
  score?: number;
  maxScore?: number;
  timeout_s?: number;
  /** Passed as --test-timeout: room for work that must end some other way than the per-check limit. */
  test_timeout_s?: number;
  checks?: Record<string, string>;
  /** Text that some check's message holds; with a list, any one of them. */
  message?: string | string[];
  problem?: string;
  sandboxes?: ('docker' | 'local')[];
  /** The submission can't be graded: `check` exits 2 naming this, `grade` records an error. */
  rejected?: string;
  everyCheck?: string[];
  oomKilled?: boolean;
  output?: string[];
  maxRssMb?: number;
  maxSeconds?: number;
  hitsPidsLimit?: boolean;
  noStrayProcess?: string;
  class?: boolean;
  /** `starter`: the folder holds only the files the attack changes; the rest are the lab's untouched starter. */
  base?: 'starter';
}

/** One fixture folder with its golden. */
export interface Fixture {
  name: string;
  dir: string;
  golden: Golden;
}

/** Every fixture submission with an expected.json under base, sorted by name. */
export function findFixtures(base: string): Fixture[] {
  const found: Fixture[] = [];
  const walk = (dir: string) => {
    if (existsSync(join(dir, 'expected.json'))) {
      found.push({ name: dir.slice(base.length + 1), dir, golden: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) });
      return;
    }
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(base);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Replaces every `__KEY__` placeholder with its value. */
export function fillIn(text: string, values: Record<string, string>): string {
  return text.replace(/__([A-Z0-9_]+)__/g, (whole, key: string) => values[key] ?? whole);
}

/**
 * Writes a fixture's submission into target: build.ts generates it (for what can't be committed),
 * otherwise the folder is copied with placeholders in its source filled in.
 */
export async function prepareFixture(fixture: Fixture, target: string, values: Record<string, string>, labDir?: string): Promise<void> {
  mkdirSync(target, { recursive: true });
  if (fixture.golden.base === 'starter') {
    if (!labDir) throw new Error(`${fixture.name}: base "starter" needs the lab's folder`);
    cpSync(join(labDir, 'src'), join(target, 'src'), { recursive: true });
  }
  const script = join(fixture.dir, 'build.ts');
  if (existsSync(script)) {
    const { build } = (await import(script)) as { build: (dir: string) => void | Promise<void> };
    await build(target);
    return;
  }
  cpSync(fixture.dir, target, { recursive: true, filter: (src) => !src.endsWith('expected.json') });
  for (const rel of readdirSync(target, { recursive: true }).map(String)) {
    if (!rel.endsWith('.ts')) continue;
    writeFileSync(join(target, rel), fillIn(readFileSync(join(target, rel), 'utf8'), values));
  }
}

/** The ailab containers (running or not) whose run tree lies under prefix: this test's own. */
export async function containersUnder(docker: Docker, prefix: string): Promise<Docker.ContainerInfo[]> {
  const all = await docker.listContainers({ all: true, filters: { label: ['ailab=1'] } });
  return all.filter((c) => c.Labels?.['ailab.tree']?.startsWith(prefix));
}

/** Host processes whose command line holds marker. */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) pids.push(Number(pid));
    } catch {
      // gone already
    }
  }
  return pids;
}

/** Peak resident memory of a process so far, in MB (VmHWM), or 0 when it has exited. */
function peakRssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** What a watch saw while a CLI run was going. */
export interface Watched {
  peakRssMb: number;
  peakPids: number;
  sawMarker: boolean;
}

/**
 * Samples the CLI's peak memory (and, when asked, the pids of this test's containers and host
 * processes holding a marker) until stop() is called.
 */
export function watchRun(pid: number, opts: { docker?: Docker; prefix?: string; pids?: boolean; marker?: string }): { stop(): Promise<Watched> } {
  const seen: Watched = { peakRssMb: 0, peakPids: 0, sawMarker: false };
  let running = true;
  const loop = (async () => {
    while (running) {
      seen.peakRssMb = Math.max(seen.peakRssMb, peakRssMb(pid));
      if (opts.marker && processesWith(opts.marker).length > 0) seen.sawMarker = true;
      if (opts.pids && opts.docker && opts.prefix) {
        for (const c of await containersUnder(opts.docker, opts.prefix).catch(() => [])) {
          const stats = await opts.docker.getContainer(c.Id).stats({ stream: false, 'one-shot': true } as { stream: false }).catch(() => undefined);
          seen.peakPids = Math.max(seen.peakPids, (stats as { pids_stats?: { current?: number } } | undefined)?.pids_stats?.current ?? 0);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}
