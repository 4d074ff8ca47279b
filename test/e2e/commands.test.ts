import { describe, expect, test } from 'vitest';
import { ailab } from '../helpers/cli.ts';

describe('other commands through the real CLI', () => {
  test('image status names the current content-hash tag, says it is built and that it passes the probe', async () => {
    await ailab(['check', 'lab-00', '--solution', '--sandbox', 'docker']); // builds the image if needed
    const run = await ailab(['image', 'status']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^current image: ailab-sandbox:[0-9a-f]{16} \(offline\) built, passes the probe \(\d+\.\d s\)\n/);
  });

  test('doctor reports Node, npm, Docker, the image, disk and HF_TOKEN, with fixes', async () => {
    const run = await ailab(['doctor', '--json'], { env: { HF_TOKEN: '' } });
    const findings = JSON.parse(run.stdout) as { name: string; level: string; fix?: string }[];
    expect(findings.map((f) => f.name)).toEqual(['Node.js', 'npm', 'Docker', 'sandbox image', 'disk space', 'HF_TOKEN']);
    expect(findings.find((f) => f.name === 'Docker')?.level).toBe('ok');
    expect(findings.find((f) => f.name === 'HF_TOKEN')).toMatchObject({ level: 'warn', fix: expect.stringContaining('export HF_TOKEN') });
  });

  test('doctor explains a Docker daemon that is down', async () => {
    const run = await ailab(['doctor'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(run.stdout).toContain('! Docker         no daemon answers at unix:///nonexistent/docker.sock: checks will run locally, NOT isolated');
    expect(run.stdout).toContain('fix: Install Docker and start it');
  });

  test('list shows every lab with its summary', async () => {
    const run = await ailab(['list', '--json']);
    const labs = JSON.parse(run.stdout) as { id: string; points: number }[];
    expect(labs[0]).toMatchObject({ id: 'lab-00', points: 100 });
    expect(labs.every((l) => l.points > 0)).toBe(true);
  });

  test('verify --json proves lab-00: solution 100, starter at most 10%, every mutant caught', async () => {
    const run = await ailab(['verify', 'lab-00', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(true);
    const proofs = report.labs[0].proofs as { name: string; ok: boolean; score: number }[];
    expect(proofs.find((p) => p.name === 'solution scores 100')?.score).toBe(100);
    expect(proofs.filter((p) => p.name.startsWith('mutant ')).length).toBeGreaterThanOrEqual(3);
    expect(proofs.every((p) => p.ok)).toBe(true);
  });

  // A timer the runner leaves behind holds the process after its work is done: the learner waits
  // for it. A 1 s grace timer after each Docker run once cost every `check` about 0.9 s this way.
  // (A child process that has just exited can still be listed while Node closes its handle.)
  test.each(['docker', 'local'])('check (%s sandbox) leaves no timer keeping the process alive when it is done', async (sandbox) => {
    const run = await ailab(['check', 'lab-00', '--solution', '--sandbox', sandbox, '--json'], { env: { AILAB_DEBUG: 'timings' } });
    expect(run.exitCode, run.stderr).toBe(0);
    const holding = /^\[timings\] still keeping the process alive: (.*)$/m.exec(run.stderr)?.[1];
    expect(holding, run.stderr).toBeDefined();
    expect(holding!.split(', ')).not.toContain('Timeout');
  });
});
