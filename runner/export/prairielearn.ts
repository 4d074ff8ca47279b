// `ailab export prairielearn`: an externally graded PrairieLearn question in a course folder:
// questions/<lab>/{info.json, question.html} and serverFilesCourse/ailab-<lab>/ (the grader files
// and run.sh, its entrypoint). The grading image is the public Node image, so Node comes with it.
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NODE_IMAGE } from '../image/recipe.ts';
import type { Lab } from '../lab/load.ts';
import { gradeLines, graderFiles, lockDownLines, type BundleFile } from './files.ts';

/** PrairieLearn's cap on a grading job's timeout, in seconds. */
export const PL_MAX_TIMEOUT_S = 600;

/** The folder under serverFilesCourse that holds one lab's grader. */
export const serverFolder = (lab: Lab) => `ailab-${lab.manifest.id}`;

/** run.sh: the job's entrypoint; it writes /grade/results/results.json. */
export function runScript(lab: Lab): string {
  return `#!/usr/bin/env bash
# Written by \`ailab export prairielearn ${lab.manifest.id}\`: the entrypoint of the question's grading job.
# The grading container is the sandbox here, so ailab runs the checks with its local sandbox,
# and the learner's code as nobody.
# A submission that can't be taken is "gradable": false with the reason. A grading failure
# (exit 3) writes no results.json, so PrairieLearn shows a failed job and never a score.
set -uo pipefail
HERE=/grade/serverFilesCourse/${serverFolder(lab)}
mkdir -p /grade/results
${lockDownLines('$HERE', ['$HERE'], ['$HERE/run.sh'])}cd "$HERE"
${gradeLines(lab, { node: 'node', submission: '/grade/student', reporter: 'prairielearn', out: '/grade/results/results.json' })}`;
}

/** The question's info.json: external grading through run.sh, no network, the lab's time limit and a minute more. */
export function infoJson(lab: Lab, uuid: string): Record<string, unknown> {
  return {
    uuid,
    title: lab.manifest.title,
    topic: 'ailab',
    tags: ['ailab', lab.manifest.id],
    type: 'v3',
    singleVariant: true,
    gradingMethod: 'External',
    externalGradingOptions: {
      enabled: true,
      image: NODE_IMAGE,
      serverFilesCourse: [`${serverFolder(lab)}/`],
      entrypoint: `/grade/serverFilesCourse/${serverFolder(lab)}/run.sh`,
      timeout: Math.min(PL_MAX_TIMEOUT_S, lab.manifest.limits.timeout_s + 60),
      enableNetworking: false,
    },
  };
}

/** The question page: the lab's summary, one upload per editable file, and the grader's results. */
export function questionHtml(lab: Lab, names: string[]): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<pl-question-panel>
  <p><strong>${esc(lab.manifest.title)}</strong></p>
  <p>${esc(lab.manifest.summary)}</p>
  <p>Upload your ${names.length === 1 ? 'file' : 'files'} from <code>labs/${esc(lab.name)}/</code>: ${names.map((n) => `<code>${esc(n)}</code>`).join(', ')}.
  Each submission runs the lab's public tests and hidden checks.</p>
</pl-question-panel>

<pl-file-upload file-names="${esc(names.join(', '))}"></pl-file-upload>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
`;
}

/** What an export wrote, for the command to report. */
export interface PrairieLearnExport {
  files: number;
  question: string;
  server: string;
  /** question.html was there already and is kept (it may hold the instructor's edits). */
  keptHtml: boolean;
  uuid: string;
}

/**
 * Writes the question into the PrairieLearn course folder `course`: serverFilesCourse/ailab-<lab>/
 * is replaced whole (built beside it, then renamed into place), info.json keeps the question's
 * uuid from an earlier export, and an existing question.html is kept.
 */
export function writePrairieLearn(root: string, lab: Lab, course: string, names: string[], onFile: (done: number, total: number) => void = () => {}): PrairieLearnExport {
  const question = join(course, 'questions', lab.manifest.id);
  const server = join(course, 'serverFilesCourse', serverFolder(lab));
  const files: BundleFile[] = [{ path: 'run.sh', text: runScript(lab), executable: true }, ...graderFiles(root, lab, '')];
  const work = `${server}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  try {
    files.forEach((f, i) => {
      const target = join(work, f.path);
      mkdirSync(dirname(target), { recursive: true });
      if (f.text !== undefined) writeFileSync(target, f.text, { mode: f.executable ? 0o755 : 0o644 });
      else copyFileSync(f.source!, target);
      onFile(i + 1, files.length);
    });
    rmSync(server, { recursive: true, force: true });
    renameSync(work, server);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  mkdirSync(question, { recursive: true });
  const infoPath = join(question, 'info.json');
  let uuid: string = randomUUID();
  if (existsSync(infoPath)) {
    try {
      const old = JSON.parse(readFileSync(infoPath, 'utf8')) as { uuid?: unknown };
      if (typeof old.uuid === 'string') uuid = old.uuid;
    } catch {
      // an unreadable info.json gets a new uuid, as a new question would
    }
  }
  writeFileSync(infoPath, `${JSON.stringify(infoJson(lab, uuid), null, 2)}\n`);
  const htmlPath = join(question, 'question.html');
  const keptHtml = existsSync(htmlPath);
  if (!keptHtml) writeFileSync(htmlPath, questionHtml(lab, names));
  return { files: files.length, question, server, keptHtml, uuid };
}
