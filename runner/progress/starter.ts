import { execa } from 'execa';
import picomatch from 'picomatch';
import { AilabError } from '../core/errors.ts';
import type { Lab } from '../lab/load.ts';

/**
 * The lab's pristine editable files, from git HEAD: the course ships as a git checkout, and
 * HEAD holds the starter exactly as it was handed out.
 */
export async function readStarter(lab: Lab, root: string): Promise<Map<string, Buffer>> {
  const labPath = `labs/${lab.name}`;
  const noGit = (why: string) =>
    new AilabError('E_NO_STARTER', `Cannot find ${lab.manifest.id}'s starter files: ${why}`, 'reset restores the starter from git (`git show HEAD:<file>`), so it needs the course to be a git clone with the lab committed. Otherwise copy the starter from a fresh download of the course.');
  const inside = await execa('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, reject: false });
  if (inside.exitCode !== 0 || inside.stdout.trim() !== 'true') throw noGit('the course folder is not a git checkout.');
  const listed = await execa('git', ['ls-tree', '-r', '-z', '--name-only', 'HEAD', '--', `${labPath}/`], { cwd: root, reject: false });
  if (listed.exitCode !== 0) throw noGit(`git could not list HEAD (${listed.stderr.trim().split('\n')[0]}).`);
  const editable = picomatch(lab.manifest.files, { dot: false });
  const paths = listed.stdout
    .split('\0')
    .filter((p) => p.startsWith(`${labPath}/`))
    .map((p) => p.slice(labPath.length + 1))
    .filter((rel) => editable(rel));
  if (paths.length === 0) throw noGit(`git HEAD holds none of its editable files (${lab.manifest.files.join(', ')}) under ${labPath}/; is the lab committed?`);
  const files = new Map<string, Buffer>();
  for (const rel of paths.sort()) {
    const shown = await execa('git', ['show', `HEAD:./${labPath}/${rel}`], { cwd: root, encoding: 'buffer', stripFinalNewline: false, reject: false });
    if (shown.exitCode !== 0) throw noGit(`git show failed for ${labPath}/${rel}.`);
    files.set(rel, Buffer.from(shown.stdout));
  }
  return files;
}
