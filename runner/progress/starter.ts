import { execa } from 'execa';
import picomatch from 'picomatch';
import { AilabError } from '../core/errors.ts';
import type { Lab } from '../lab/load.ts';

/**
 * The commit that holds the lab's starter as shipped: the newest commit that changed its editable
 * files and was not authored by this clone's own git identity (the learner's commits of their
 * work), or, when every such commit is the learner's (a downloaded course they committed
 * themselves), the oldest one. Never simply HEAD: HEAD holds whatever the learner committed.
 */
async function starterCommit(root: string, labPath: string, globs: string[]): Promise<string | undefined> {
  const me = (await execa('git', ['config', 'user.email'], { cwd: root, reject: false })).stdout.trim().toLowerCase();
  const log = await execa('git', ['log', '--format=%H%x09%ae', 'HEAD', '--', ...globs.map((g) => `:(glob)${labPath}/${g}`)], { cwd: root, reject: false });
  if (log.exitCode !== 0) return undefined;
  const commits = log.stdout.split('\n').filter(Boolean).map((line) => {
    const [hash, email] = line.split('\t');
    return { hash, email: (email ?? '').toLowerCase() };
  });
  return (commits.find((c) => !me || c.email !== me) ?? commits.at(-1))?.hash;
}

/** The lab's pristine editable files, from the commit that shipped them (see starterCommit). */
export async function readStarter(lab: Lab, root: string): Promise<Map<string, Buffer>> {
  const labPath = `labs/${lab.name}`;
  const noGit = (why: string) =>
    new AilabError('E_NO_STARTER', `Cannot find ${lab.manifest.id}'s starter files: ${why}`, 'reset restores the starter from the git history (the commit that shipped it, never your own commits), so it needs the course to be a git clone with the lab committed. Otherwise copy the starter from a fresh download of the course.');
  const inside = await execa('git', ['rev-parse', '--is-inside-work-tree'], { cwd: root, reject: false });
  if (inside.exitCode !== 0 || inside.stdout.trim() !== 'true') throw noGit('the course folder is not a git checkout.');
  const commit = await starterCommit(root, labPath, lab.manifest.files);
  if (!commit) throw noGit(`no commit holds its editable files (${lab.manifest.files.join(', ')}) under ${labPath}/; is the lab committed?`);
  const listed = await execa('git', ['ls-tree', '-r', '-z', '--name-only', commit, '--', `${labPath}/`], { cwd: root, reject: false });
  if (listed.exitCode !== 0) throw noGit(`git could not list commit ${commit.slice(0, 12)} (${listed.stderr.trim().split('\n')[0]}).`);
  const editable = picomatch(lab.manifest.files, { dot: false });
  const paths = listed.stdout
    .split('\0')
    .filter((p) => p.startsWith(`${labPath}/`))
    .map((p) => p.slice(labPath.length + 1))
    .filter((rel) => editable(rel));
  if (paths.length === 0) throw noGit(`commit ${commit.slice(0, 12)} holds none of its editable files (${lab.manifest.files.join(', ')}) under ${labPath}/.`);
  const files = new Map<string, Buffer>();
  for (const rel of paths.sort()) {
    const shown = await execa('git', ['show', `${commit}:${labPath}/${rel}`], { cwd: root, encoding: 'buffer', stripFinalNewline: false, reject: false });
    if (shown.exitCode !== 0) throw noGit(`git show failed for ${labPath}/${rel}.`);
    files.set(rel, Buffer.from(shown.stdout));
  }
  return files;
}
