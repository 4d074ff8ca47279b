// Issue #18, item 1: a Docker host that is not this machine. The daemon here runs in a mount
// namespace of its own with an empty tmpfs over /tmp, and listens on TCP on 127.0.0.1, so it sees
// none of the run trees this machine stages, exactly as a remote host couldn't: every run must put
// its files into the container through the Engine API. It also builds the sandbox image itself,
// through the API, as it would on a host of its own.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ResultsSchema } from '../../runner/results/schema.ts';
import { ailab } from '../helpers/cli.ts';
import { PrivateDockerd } from '../helpers/private-dockerd.ts';

const daemon = new PrivateDockerd({ remote: true });
const here = mkdtempSync(join(tmpdir(), 'ailab-remote-'));

beforeAll(async () => {
  await daemon.start();
}, 120_000);
afterAll(async () => {
  await daemon.destroy();
  rmSync(here, { recursive: true, force: true });
}, 60_000);

/** `ailab` with the private daemon as its Docker host. */
const onRemote = (args: string[]) => ailab(args, { env: { DOCKER_HOST: daemon.host } });

describe.runIf(process.getuid?.() === 0)('a Docker host that cannot see this machine\'s files', () => {
  test('the daemon really is apart: a folder of this machine\'s temp files is empty inside its containers', async () => {
    writeFileSync(join(here, 'marker'), 'here');
    const { stdout } = await onRemote(['image', 'build']);
    expect(stdout).toContain('ailab-sandbox:');
    const image = /ailab-sandbox:\w+/.exec(stdout)![0];
    const container = await daemon.docker.createContainer({ Image: image, Cmd: ['node', '-e', `console.log(JSON.stringify(require('fs').readdirSync(${JSON.stringify(here)})))`], HostConfig: { Binds: [`${here}:${here}:ro`], NetworkMode: 'none' } });
    try {
      await container.start();
      await container.wait();
      const logs = (await container.logs({ stdout: true })).toString('utf8');
      expect(logs).toContain('[]');
      expect(logs).not.toContain('marker');
    } finally {
      await container.remove({ force: true });
    }
  });

  test('check scores the solution 100 and the starter as it does on this machine', async () => {
    const solution = await onRemote(['check', 'lab-00', '--solution', '--sandbox', 'docker', '--json']);
    expect(solution.exitCode, solution.stderr).toBe(0);
    const solved = ResultsSchema.parse(JSON.parse(solution.stdout));
    expect(solved.score).toBe(solved.maxScore);
    expect(solved.sandbox.kind).toBe('docker');
    const starter = await onRemote(['check', 'lab-00', '--submission', 'labs/lab-00-warmup', '--sandbox', 'docker', '--json']);
    expect(starter.exitCode, starter.stderr).toBe(1);
    expect(ResultsSchema.parse(JSON.parse(starter.stdout)).score).toBe(0);
    // No container and no volume of these runs is left on the host.
    expect(await daemon.docker.listContainers({ all: true, filters: { label: ['ailab=1'] } })).toEqual([]);
    expect((await daemon.docker.listVolumes()).Volumes ?? []).toEqual([]);
  });
});
