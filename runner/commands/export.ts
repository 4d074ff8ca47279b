import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseOptions } from '../cli.ts';
import { EXIT, UsageError } from '../core/errors.ts';
import { courseRoot } from '../core/paths.ts';
import { resolveLab } from '../lab/resolve.ts';
import { refuseInStudentCopy } from '../release/release.ts';
import { DEFAULT_HIDDEN_VISIBILITY, GRADESCOPE_VISIBILITY, type GradescopeVisibility } from '../report/platforms.ts';
import { gradescopeFiles, writeZip } from '../export/gradescope.ts';
import { uploadNames } from '../export/files.ts';
import { writePrairieLearn } from '../export/prairielearn.ts';
import { progress } from '../ui/progress.ts';

const USAGE = 'export gradescope|prairielearn <lab> [options]';

const HELP = `Usage: ailab ${USAGE}

Writes a lab's autograder for a grading platform. It holds the runner, the lab with its hidden
checks (never its solution or mutants), the fixtures it uses and the production node_modules,
so the platform installs nothing. There, the platform's container is the sandbox: the checks
run with the local sandbox, and a learner's files may be uploaded without their folders.

  gradescope <lab> [--out FILE]   a Gradescope autograder zip (setup.sh, run_autograder,
                                  ailab/, and this machine's Node binary under node/);
                                  FILE defaults to <lab>-gradescope.zip
  prairielearn <lab> DIR          an externally graded question in the PrairieLearn course
                                  folder DIR: questions/<lab>/ (info.json, question.html) and
                                  serverFilesCourse/ailab-<lab>/ (the grader and run.sh)

Options:
  --out FILE           gradescope: where to write the zip (replaced if it exists)
  --hidden VISIBILITY  gradescope: when learners see hidden checks' results:
                       ${GRADESCOPE_VISIBILITY.join(' | ')} (default ${DEFAULT_HIDDEN_VISIBILITY})
  -h, --help           show this help

A new export replaces serverFilesCourse/ailab-<lab>/ whole, keeps the question's uuid, and
keeps a question.html that is there already (edit it freely).

Examples:
  npm run lab -- export gradescope lab-00 --out autograder.zip
  npm run lab -- export gradescope lab-04 --hidden after_due_date
  npm run lab -- export prairielearn lab-00 ../pl-course`;

/** `ailab export gradescope|prairielearn <lab>`. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseOptions(argv, { out: { type: 'string' }, hidden: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const [platform, query, dir, ...extra] = positionals;
  if (platform !== 'gradescope' && platform !== 'prairielearn') {
    throw new UsageError(platform ? `Unknown platform "${platform}".` : 'Name a platform and a lab.', `Usage: ailab ${USAGE}. Platforms: gradescope, prairielearn.`);
  }
  if (!query) throw new UsageError('Name the lab to export.', `Example: npm run lab -- export ${platform} lab-00${platform === 'prairielearn' ? ' ../pl-course' : ''}`);
  const root = courseRoot();
  refuseInStudentCopy(root, 'export');
  const lab = resolveLab(query, root);
  const names = uploadNames(lab);
  const show = progress();
  const started = Date.now();
  const secs = () => ((Date.now() - started) / 1000).toFixed(1);
  if (platform === 'gradescope') {
    if (dir || extra.length) throw new UsageError(`Unexpected argument "${dir ?? extra[0]}".`, 'The zip goes where --out says.');
    if (values.hidden !== undefined && !(GRADESCOPE_VISIBILITY as readonly string[]).includes(values.hidden)) {
      throw new UsageError(`--hidden must be one of ${GRADESCOPE_VISIBILITY.join(', ')}, not "${values.hidden}".`, `By default hidden checks' results are shown once the grades are published (${DEFAULT_HIDDEN_VISIBILITY}).`);
    }
    const out = resolve(values.out ?? `${lab.manifest.id}-gradescope.zip`);
    if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new UsageError(`--out ${values.out}: the folder ${dirname(out)} does not exist.`, 'Create it first, or name a file in an existing folder.');
    const files = gradescopeFiles(root, lab, (values.hidden as GradescopeVisibility | undefined) ?? DEFAULT_HIDDEN_VISIBILITY);
    show.step(`zipping ${files.length} files`);
    let shown = 0;
    const size = await writeZip(files, out, (bytes) => {
      if (bytes - shown < 10 * 1024 * 1024) return;
      shown = bytes;
      show.step(`zipping ${files.length} files: ${(bytes / 1024 / 1024).toFixed(0)} MB written`);
    });
    show.done();
    process.stdout.write(`Wrote ${out} (${(size / 1024 / 1024).toFixed(1)} MB, ${files.length} files) in ${secs()} s.\nUpload it as the assignment's autograder on Gradescope; learners upload ${names.join(', ')}.\n`);
    return EXIT.ok;
  }
  if (values.out || values.hidden) throw new UsageError('--out and --hidden are for gradescope.', 'For prairielearn, name the course folder: export prairielearn <lab> DIR.');
  if (!dir) throw new UsageError('Name the PrairieLearn course folder to write the question into.', `Example: npm run lab -- export prairielearn ${lab.manifest.id} ../pl-course`);
  if (extra.length) throw new UsageError(`Unexpected argument "${extra[0]}".`, `Usage: ailab ${USAGE}`);
  const course = resolve(dir);
  if (existsSync(course) && !statSync(course).isDirectory()) throw new UsageError(`${dir} is not a folder.`, 'Name the root of a PrairieLearn course (the folder that holds questions/), or a new folder.');
  const done = writePrairieLearn(root, lab, course, names, (n, total) => {
    if (n % 2000 === 0) show.step(`copying: ${n}/${total} files`);
  });
  show.done();
  process.stdout.write(
    `Wrote the question ${done.question} (uuid ${done.uuid}) and its grader ${done.server} (${done.files} files) in ${secs()} s.\n` +
      `${done.keptHtml ? 'question.html was there already and is kept.\n' : ''}` +
      `Commit both to the course repository and sync; learners upload ${names.join(', ')}.\n`,
  );
  return EXIT.ok;
}
