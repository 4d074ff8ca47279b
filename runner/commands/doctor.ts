import { statfsSync } from 'node:fs';
import { execa } from 'execa';
import { parseOptions } from '../cli.ts';
import { EXIT } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { imageExists } from '../image/ensure.ts';
import { probeImage } from '../image/probe.ts';
import { defaultImageMode, imageTag } from '../image/recipe.ts';
import { dockerAnswers, dockerClient, dockerTarget } from '../sandbox/docker-client.ts';
import { colors } from '../ui/colors.ts';

/** One finding: ok, a warning, or a problem, with the fix. */
export interface Finding {
  name: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** Looks at this machine and says what is missing for running labs, with a fix for each problem. */
export async function diagnose(root: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number);
  findings.push(
    major > 20 || (major === 20 && minor >= 19)
      ? { name: 'Node.js', level: 'ok', detail: process.version }
      : { name: 'Node.js', level: 'fail', detail: `${process.version} is too old`, fix: 'Install Node 20.19 or newer (e.g. with nvm: `nvm install 20`).' },
  );
  const npm = await execa('npm', ['--version'], { reject: false });
  findings.push(npm.exitCode === 0 ? { name: 'npm', level: 'ok', detail: npm.stdout.trim() } : { name: 'npm', level: 'fail', detail: 'not found', fix: 'Install npm (it ships with Node.js).' });
  const docker = dockerClient();
  const up = await dockerAnswers(docker);
  findings.push(
    up
      ? { name: 'Docker', level: 'ok', detail: `daemon answers at ${dockerTarget()}` }
      : { name: 'Docker', level: 'warn', detail: `no daemon answers at ${dockerTarget()}: checks will run locally, NOT isolated`, fix: 'Install Docker and start it (Debian/Ubuntu: `sudo apt-get install docker.io && sudo systemctl start docker`).' },
  );
  if (up) {
    const mode = defaultImageMode();
    const tag = imageTag(root, mode);
    const probe = (await imageExists(docker, tag)) ? await probeImage(docker, tag) : undefined;
    findings.push(
      !probe
        ? { name: 'sandbox image', level: 'warn', detail: `${tag} (${mode}) is not built yet`, fix: 'It builds on the first check; to build it now: `npm run lab -- image build`.' }
        : probe.ok
          ? { name: 'sandbox image', level: 'ok', detail: `${tag} (${mode}) is built, current, and passes the probe` }
          : { name: 'sandbox image', level: 'fail', detail: `${tag} (${mode}) is built but cannot run a check: ${probe.cause}`, fix: 'Rebuild it: `npm run lab -- image build --force` (after `npm install` if node_modules is incomplete).' },
    );
  }
  const fs = statfsSync(root);
  const freeGb = (fs.bavail * fs.bsize) / 1e9;
  findings.push(
    freeGb >= 2
      ? { name: 'disk space', level: 'ok', detail: `${freeGb.toFixed(1)} GB free` }
      : { name: 'disk space', level: freeGb >= 0.5 ? 'warn' : 'fail', detail: `${freeGb.toFixed(1)} GB free`, fix: 'Free some space: the sandbox image needs about 300 MB; `npm run lab -- image prune` removes old images.' },
  );
  findings.push(
    process.env.HF_TOKEN
      ? { name: 'HF_TOKEN', level: 'ok', detail: "set: lab-01's demo can use hosted models" }
      : { name: 'HF_TOKEN', level: 'warn', detail: "not set: lab-01's demo uses the local embedder and extractive generator (the checks never need it)", fix: 'Optional: export HF_TOKEN=<your Hugging Face token> to try hosted models.' },
  );
  return findings;
}

/** `ailab doctor`. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } }, 'doctor [--json]');
  if (values.help) {
    process.stdout.write('Usage: ailab doctor [--json]\n\nChecks Node, npm, Docker, the sandbox image, disk space and HF_TOKEN, with a fix for each problem.\n\nExample:\n  npm run lab -- doctor\n');
    return EXIT.ok;
  }
  const findings = await diagnose(courseRoot());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  } else {
    const c = colors();
    const mark = { ok: c.green('✓'), warn: c.yellow('!'), fail: c.red('✗') };
    for (const f of findings) {
      process.stdout.write(`${mark[f.level]} ${f.name.padEnd(14)} ${f.detail}\n`);
      if (f.fix && f.level !== 'ok') process.stdout.write(`  ${c.cyan('fix:')} ${f.fix}\n`);
    }
  }
  return findings.some((f) => f.level === 'fail') ? EXIT.checksFailed : EXIT.ok;
}
