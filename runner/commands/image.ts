import { parseOptions } from '../cli.ts';
import { EXIT, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { buildImage, imageExists, listImages } from '../image/ensure.ts';
import { probeImage } from '../image/probe.ts';
import { defaultImageMode, imageTag, type ImageMode } from '../image/recipe.ts';
import { dockerClient, requireDocker } from '../sandbox/docker-client.ts';
import { colors } from '../ui/colors.ts';
import { progress } from '../ui/progress.ts';

const HELP = `Usage: ailab image build|status|prune [--mode offline|dockerfile] [--force]

Manages the sandbox image ailab-sandbox:<content hash>. The hash covers Node, the
dependencies (package-lock.json and the installed node_modules) and docker/Dockerfile,
so a change rebuilds it. A new image must pass a probe (a one-check lab run inside it)
before its tag is set; one build of a tag runs at a time, and other runs wait for it.

  build    build the image now (check builds it on first use anyway); an existing
           image that passes the probe is kept, unless --force
  status   show the current tag, whether it is built, and whether it passes the probe
  prune    remove sandbox images other than the current one, and leftover ailab containers

Modes:
  offline      assemble the image from this machine's Node runtime (Linux; no registry needed)
  dockerfile   build docker/Dockerfile FROM node:20-bookworm-slim (needs a registry)

Options:
  --force      build even when the current image exists and passes the probe

Examples:
  npm run lab -- image status
  npm run lab -- image build --force
  npm run lab -- image build --mode dockerfile`;

function parseMode(value: string | undefined): ImageMode {
  if (value === undefined) return defaultImageMode();
  if (value === 'offline' || value === 'dockerfile') return value;
  throw new UsageError(`--mode must be offline or dockerfile, not "${value}".`);
}

/** `ailab image build|status|prune`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { mode: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'image build|status|prune');
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const c = colors();
  const root = courseRoot();
  const mode = parseMode(values.mode);
  const docker = dockerClient();
  const action = positionals[0];
  if (!['build', 'status', 'prune'].includes(action)) throw new UsageError(`Unknown image action "${action}".`, 'Use build, status or prune.');
  await requireDocker(docker);
  const tag = imageTag(root, mode);
  if (action === 'build') {
    const show = progress();
    const started = Date.now();
    const { built } = await buildImage(docker, { root, mode, reuse: values.force ? 'never' : 'proven', onProgress: show.step });
    show.done();
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      built
        ? `${c.green('built')} ${tag} (${mode}) in ${secs} s; it passes the probe\n`
        : `${c.green('current')} ${tag} (${mode}) is already built and passes the probe; nothing to do (--force rebuilds it)\n`,
    );
    return EXIT.ok;
  }
  if (action === 'status') {
    const built = await imageExists(docker, tag);
    const probe = built ? await probeImage(docker, tag) : undefined;
    const state = !probe
      ? c.yellow('not built: `npm run lab -- image build`, or the next check builds it')
      : probe.ok
        ? c.green(`built, passes the probe (${(probe.durationMs / 1000).toFixed(1)} s)`)
        : `${c.red('built but BROKEN')}: it fails the probe: ${probe.cause}\n${c.cyan('fix:')} npm run lab -- image build --force`;
    process.stdout.write(`current image: ${tag} (${mode}) ${state}\n`);
    for (const img of await listImages(docker)) process.stdout.write(`  ${img.tag}  ${img.sizeMb} MB  ${new Date(img.created * 1000).toISOString()}${img.tag === tag ? '  (current)' : ''}\n`);
    return probe && !probe.ok ? EXIT.infrastructure : EXIT.ok;
  }
  const containers = await docker.listContainers({ all: true, filters: { label: ['ailab=1'] } });
  for (const info of containers) await docker.getContainer(info.Id).remove({ force: true, v: true }).catch(() => undefined);
  let removed = 0;
  for (const img of await listImages(docker)) {
    if (img.tag === tag) continue;
    await docker.getImage(img.tag).remove({ force: true }).catch(() => undefined);
    removed++;
  }
  await (docker.pruneImages({ filters: { dangling: ['true'], label: ['ailab=1'] } }) as Promise<unknown>).catch(() => undefined);
  process.stdout.write(`removed ${removed} old image(s) and ${containers.length} leftover container(s); kept ${tag}\n`);
  return EXIT.ok;
}
