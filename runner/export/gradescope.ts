// `ailab export gradescope`: a Gradescope autograder zip in its documented layout: setup.sh and
// run_autograder at the top, the course's grader files under ailab/, and this machine's Node
// binary under node/ (Gradescope's Ubuntu images have no Node 20, and setup.sh downloads nothing).
import { createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { Lab } from '../lab/load.ts';
import type { GradescopeVisibility } from '../report/platforms.ts';
import { gradeLines, graderFiles, lockDownLines, type BundleFile } from './files.ts';

/** Where Gradescope extracts the zip, and where ailab sits in it. */
const SOURCE = '/autograder/source';

/**
 * setup.sh: run once, as root, while Gradescope builds the image. It gives the executables back
 * their mode (an unzip may drop it) and compiles the runner.
 */
export function setupScript(lab: Lab, executables: string[]): string {
  return `#!/usr/bin/env bash
# Written by \`ailab export gradescope ${lab.manifest.id}\`. Gradescope runs it once, as root, when it
# builds the autograder image. It installs nothing from the network: Node and every package are in
# this zip.
set -euo pipefail
SRC=${SOURCE}
cd "$SRC"
chmod 0755 \\
${executables.map((p) => `  '${p.replace(/'/g, `'\\''`)}'`).join(' \\\n')}
"$SRC/node/bin/node" --version
# The runner compiles itself once here, so a submission's run starts at once.
cd "$SRC/ailab"
"$SRC/node/bin/node" runner/bin/ailab.mjs --version
"$SRC/node/bin/node" runner/bin/ailab.mjs list >/dev/null
${lockDownLines('$SRC/ailab', ['$SRC', '$SRC/ailab'], ['$SRC/setup.sh', '$SRC/run_autograder'])}echo "ailab: the autograder for ${lab.manifest.id} is set up"
`;
}

/** run_autograder: run for each submission; it writes /autograder/results/results.json. */
export function runAutograderScript(lab: Lab, hidden: GradescopeVisibility): string {
  return `#!/usr/bin/env bash
# Written by \`ailab export gradescope ${lab.manifest.id}\`. Gradescope runs it for each submission.
# Gradescope's container is the sandbox here, so ailab runs the checks with its local sandbox,
# and the learner's code as nobody.
# A submission that can't be taken is a score of 0 with the reason. A grading failure (exit 3)
# writes no results.json, so Gradescope shows a failed run and never a score.
set -uo pipefail
SRC=${SOURCE}
mkdir -p /autograder/results
cd "$SRC/ailab"
${gradeLines(lab, { node: '"$SRC/node/bin/node"', submission: '/autograder/submission', reporter: 'gradescope', out: '/autograder/results/results.json', env: { AILAB_GRADESCOPE_HIDDEN: hidden } })}`;
}

/** Every file of the zip: the two scripts, ailab/ and node/bin/node. */
export function gradescopeFiles(root: string, lab: Lab, hidden: GradescopeVisibility): BundleFile[] {
  const files: BundleFile[] = [
    { path: 'run_autograder', text: runAutograderScript(lab, hidden), executable: true },
    { path: 'node/bin/node', source: process.execPath, executable: true },
    ...graderFiles(root, lab, 'ailab'),
  ];
  return [{ path: 'setup.sh', text: setupScript(lab, files.filter((f) => f.executable).map((f) => f.path)), executable: true }, ...files];
}

/**
 * Writes `files` as a zip at `out`, through a temp file renamed into place: an interrupted export
 * leaves the previous zip (or none). Calls `onBytes` with the bytes written so far. Returns the zip's size.
 */
export async function writeZip(files: BundleFile[], out: string, onBytes: (written: number) => void = () => {}): Promise<number> {
  const zip = new yazl.ZipFile();
  const temp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  // Fixed times and modes: the same course gives the same zip.
  const mtime = new Date('2020-01-01T00:00:00Z');
  let written = 0;
  zip.outputStream.on('data', (chunk: Buffer) => onBytes((written += chunk.length)));
  try {
    const done = pipeline(zip.outputStream, createWriteStream(temp));
    for (const f of files) {
      const options = { mtime, mode: f.executable ? 0o100755 : 0o100644 };
      if (f.text !== undefined) zip.addBuffer(Buffer.from(f.text), f.path, options);
      else zip.addFile(f.source!, f.path, options);
    }
    zip.end();
    await done;
    renameSync(temp, out);
    return statSync(out).size;
  } finally {
    rmSync(temp, { force: true });
  }
}
