import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain ES module without types
import { sourceKey } from '../../../runner/bin/bundle.mjs';
import { ROOT } from '../../helpers/cli.ts';

// The precompiled runner (runner/bin/bundle.mjs) bundles the packages it uses, but leaves out the
// Docker client's BuildKit session (gRPC) and SSH transport (ssh2), which load on first use.
describe('the precompiled runner', () => {
  test('bundles its packages but neither gRPC nor ssh2, and an ssh:// DOCKER_HOST still loads the SSH transport when used', async () => {
    // A port on loopback that nothing listens on: the SSH transport loads, tries, and is refused.
    const run = await execa(process.execPath, [join(ROOT, 'runner/bin/ailab.mjs'), 'doctor'], { reject: false, env: { DOCKER_HOST: 'ssh://nobody@127.0.0.1:9', NO_COLOR: '1' } });
    expect(run.stderr).not.toContain('internal error');
    expect(run.stdout).toContain('no daemon answers at ssh://nobody@127.0.0.1:9');
    const dir = join(ROOT, 'runner/.dist', sourceKey());
    const bundled = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const packages = new Set([...bundled.matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]));
    expect([...packages]).toEqual(expect.arrayContaining(['dockerode', 'docker-modem', 'zod', 'yaml', 'execa']));
    expect([...packages].filter((p) => /^(@grpc\/|protobufjs|ssh2|typescript|esbuild|vitest|vite)/.test(p))).toEqual([]);
  });
});
