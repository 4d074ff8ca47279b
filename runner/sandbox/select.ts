import { UsageError } from '../core/errors.ts';
import { mark } from '../core/timings.ts';
import { ensureImage } from '../image/ensure.ts';
import type { ImageMode } from '../image/recipe.ts';
import { colors } from '../ui/colors.ts';
import { dockerAnswers, dockerClient, dockerTarget, requireDocker } from './docker-client.ts';
import { DockerSandbox } from './docker.ts';
import { LocalSandbox } from './local.ts';
import { RecoveringSandbox } from './recover.ts';
import type { Sandbox } from './types.ts';
import { WarmDockerSandbox } from './warm.ts';

/** The sandbox kinds a user may ask for. */
export type SandboxChoice = 'docker' | 'local' | 'auto';

/** Parses --sandbox. */
export function parseSandboxChoice(value: string | undefined): SandboxChoice {
  const v = value ?? process.env.AILAB_SANDBOX ?? 'auto';
  if (v === 'docker' || v === 'local' || v === 'auto') return v;
  throw new UsageError(`--sandbox must be docker, local or auto, not "${v}".`, 'Use --sandbox docker (isolated, the default when Docker answers) or --sandbox local (not isolated).');
}

/** Prints the warning that local runs are not isolated. */
export function warnLocal(reason: string): void {
  const c = colors(process.stderr);
  process.stderr.write(`${c.yellow('warning:')} ${reason} Learner code runs on this machine with your permissions, NOT isolated.\n`);
}

/**
 * Picks and prepares a sandbox: Docker (building the image on first use) when asked or when the
 * daemon answers, the local machine otherwise.
 */
export async function openSandbox(opts: {
  choice: SandboxChoice;
  root: string;
  imageMode?: ImageMode;
  /** Keep containers up between runs (watch, verify: never a class of students): see warm.ts. */
  warm?: boolean;
  onProgress: (step: string) => void;
}): Promise<Sandbox> {
  if (opts.choice === 'local') {
    warnLocal('--sandbox local:');
    return new LocalSandbox();
  }
  const docker = dockerClient();
  if (opts.choice === 'docker') await requireDocker(docker);
  else if (!(await dockerAnswers(docker))) {
    warnLocal(`No Docker daemon answers at ${dockerTarget()}, so this run uses the local sandbox.`);
    return new LocalSandbox();
  }
  mark('sandbox: docker answered');
  const image = await ensureImage(docker, { root: opts.root, mode: opts.imageMode, onProgress: opts.onProgress });
  mark('sandbox: image ready');
  if (opts.warm) return new WarmDockerSandbox(docker, image);
  return new RecoveringSandbox(new DockerSandbox(docker, image), docker);
}
