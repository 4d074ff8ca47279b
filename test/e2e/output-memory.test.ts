import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureImage } from '../../runner/image/ensure.ts';
import { LimitsSchema } from '../../runner/lab/schema.ts';
import { dockerClient } from '../../runner/sandbox/docker-client.ts';
import { DockerSandbox } from '../../runner/sandbox/docker.ts';
import { LocalSandbox } from '../../runner/sandbox/local.ts';
import type { RunSpec, Sandbox } from '../../runner/sandbox/types.ts';
import { ROOT } from '../helpers/cli.ts';

// The runner keeps at most limits.output_kb of each stream. This proves its own memory stays flat
// however much a run prints: each sandbox runs in this process and passes 192 MB through it.
const docker = dockerClient();
let runDir = '';
let image = '';

beforeAll(async () => {
  image = await ensureImage(docker, { root: ROOT, onProgress: () => {} });
  runDir = mkdtempSync(join(tmpdir(), 'ailab-flood-'));
  chmodSync(runDir, 0o755);
  // 128 MB to stdout and 64 MB to stderr, as fast as write(2) goes, in lines and in one endless line.
  const flood = `
    import { writeSync } from 'node:fs';
    const line = Buffer.from('x'.repeat(1023) + '\\n');
    const endless = Buffer.alloc(1024 * 1024, 121);
    const put = (fd, b) => { for (let o = 0; o < b.length; ) { try { o += writeSync(fd, b, o); } catch (e) { if (e.code !== 'EAGAIN') throw e; } } };
    for (let mb = 0; mb < 64; mb++) {
      for (let i = 0; i < 1024; i++) put(1, line);
      put(1, endless);
      for (let i = 0; i < 1024; i++) put(2, line);
    }`;
  writeFileSync(join(runDir, 'flood.mjs'), flood, { mode: 0o644 });
});
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

const spec = (): RunSpec => ({
  runDir,
  workdir: '.',
  args: ({ root }) => [`${root}/flood.mjs`],
  env: {},
  stdin: '',
  limits: LimitsSchema.parse({ timeout_s: 120, output_kb: 128 }),
  interceptStdout: () => false,
  labels: { 'ailab.test': `output-memory-${process.pid}` },
});

test.each([
  ['docker', () => new DockerSandbox(docker, image)],
  ['local', () => new LocalSandbox()],
] as [string, () => Sandbox][])('a 192 MB flood through the %s sandbox leaves the runner\'s memory flat', async (_kind, make) => {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const out = await make().run(spec());
    expect(out.exitCode, out.stderr.slice(-500)).toBe(0);
    const dropped = (text: string) => Number(/(\d+) more bytes dropped/.exec(text)?.[1] ?? 0);
    expect(dropped(out.stdout)).toBeGreaterThan(127 * 1024 * 1024);
    expect(dropped(out.stderr)).toBeGreaterThan(63 * 1024 * 1024);
    expect(out.stdout.length + out.stderr.length).toBeLessThan(2 * 129 * 1024 + 400);
  } finally {
    clearInterval(sampler);
  }
  // Keeping what went through would add 192 MB or more. A first run warms up (heap growth, stream
  // buffers not yet collected) by up to ~60 MB here, and a longer flood adds nothing on top of that.
  expect((peak - before) / 1024 / 1024, 'RSS growth, MB').toBeLessThan(120);
}, 120_000);
