import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { applyPatch, parsePatch, type StructuredPatch } from 'diff';
import picomatch from 'picomatch';
import { parseDocument } from 'yaml';
import { LabError } from '../core/errors.ts';
import { keptFile } from '../core/kept.ts';
import { formatIssues } from './issues.ts';
import { LabManifestSchema, MutantSchema, type LabCheck, type LabManifest, type MutantManifest } from './schema.ts';

/** A loaded, validated lab: its manifest plus where its parts live on disk. */
export interface Lab {
  dir: string;
  /** The lab folder's name, e.g. lab-00-warmup. */
  name: string;
  manifestPath: string;
  manifest: LabManifest;
  checks: (LabCheck & { task: string })[];
  maxScore: number;
}

/** Parses a YAML file and validates it with a zod schema, or throws every problem as path: message. */
export function readYaml<T>(file: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: any } }, shownAs: string): T {
  return parseYaml(readFileSync(file, 'utf8'), schema, shownAs);
}

/** Parses YAML text and validates it with a zod schema, or throws every problem as path: message. */
export function parseYaml<T>(text: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: any } }, shownAs: string): T {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${shownAs}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new LabError('E_MANIFEST', `${shownAs} is not valid YAML:\n${lines.join('\n')}`, 'Fix the YAML syntax at the line shown.');
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    const lines = formatIssues(parsed.error).map((l) => `${shownAs}: ${l}`);
    throw new LabError('E_MANIFEST', lines.join('\n'), 'See docs/lab-format.md for the format, or point your editor at runner/lab/lab.schema.json.');
  }
  return parsed.data;
}

/**
 * A lab.yaml, validated. Parsing YAML is most of what `list` does (about 20 ms a lab), so a valid
 * manifest is kept (core/kept.ts), by a digest of its text: a new runner has a new folder, and so
 * never reads what an older schema accepted.
 */
function readManifest(file: string, shownAs: string): LabManifest {
  const text = readFileSync(file, 'utf8');
  const kept = keptFile('manifests', () => `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.json`);
  const made = kept?.read();
  if (made) {
    try {
      return JSON.parse(made) as LabManifest;
    } catch {
      // a damaged copy: parse it again below
    }
  }
  const manifest = parseYaml(text, LabManifestSchema, shownAs);
  kept?.keep(JSON.stringify(manifest));
  return manifest;
}

/** Loads labs/<name>/lab.yaml, validates it, and applies the rules a schema cannot express. */
export function loadLab(dir: string, root: string): Lab {
  const manifestPath = join(dir, 'lab.yaml');
  const shownAs = relative(root, manifestPath) || manifestPath;
  if (!existsSync(manifestPath)) {
    throw new LabError('E_LAB_FILES', `${shownAs} does not exist.`, 'Every lab folder needs a lab.yaml; see docs/lab-format.md.');
  }
  const manifest = readManifest(manifestPath, shownAs);
  const problems: string[] = [];
  const name = basename(dir);
  if (name !== `${manifest.id}-${manifest.slug}`) {
    problems.push(`${shownAs}: id/slug: the folder must be named ${manifest.id}-${manifest.slug}, not ${name}`);
  }
  const ids = new Map<string, string>();
  const tests = new Map<string, string>();
  manifest.tasks.forEach((task, t) => {
    if (ids.has(task.id)) problems.push(`${shownAs}: tasks[${t}].id: "${task.id}" is used twice`);
    ids.set(task.id, `tasks[${t}]`);
    task.checks.forEach((check, c) => {
      const where = `tasks[${t}].checks[${c}]`;
      if (ids.has(check.id)) problems.push(`${shownAs}: ${where}.id: "${check.id}" is already used by ${ids.get(check.id)}`);
      ids.set(check.id, where);
      if (tests.has(check.test)) problems.push(`${shownAs}: ${where}.test: "${check.test}" is already mapped by ${tests.get(check.test)}`);
      tests.set(check.test, where);
    });
  });
  manifest.mutation.skip.forEach(({ check }, i) => {
    if (!ids.has(check)) problems.push(`${shownAs}: mutation.skip[${i}].check: unknown check id ${check}`);
  });
  if (problems.length > 0) throw new LabError('E_MANIFEST', problems.join('\n'), 'Fix the lines shown in lab.yaml.');
  const checks = manifest.tasks.flatMap((task) => task.checks.map((check) => ({ ...check, task: task.id })));
  return { dir, name, manifestPath, manifest, checks, maxScore: checks.reduce((s, c) => s + c.points, 0) };
}

/** A mutant of the lab's solution: mutants/NAME.patch, a unified diff against solution/ under a YAML header. */
export interface Mutant {
  name: string;
  /** The patch file. */
  path: string;
  manifest: MutantManifest;
  /** One patch per file it changes; paths relative to the lab folder. */
  patches: { file: string; patch: StructuredPatch }[];
}

/** Where a patch's header ends: its first line of diff. */
const DIFF_START = /^(?:diff --git |--- |Index: )/m;

/** Lists the lab's mutants and validates each: its header names real checks, and its diff only edits files the learner edits. */
export function loadMutants(lab: Lab, root: string): Mutant[] {
  const base = join(lab.dir, 'mutants');
  if (!existsSync(base)) return [];
  const known = new Set(lab.checks.map((c) => c.id));
  const editable = picomatch(lab.manifest.files);
  const entries = readdirSync(base, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name));
  const folder = entries.find((e) => e.isDirectory());
  if (folder) throw new LabError('E_LAB_FILES', `${relative(root, join(base, folder.name))}/ is a folder: a mutant is one file, mutants/NAME.patch.`, 'Write it as a unified diff against solution/ (docs/lab-format.md, "Mutants"), under a header with kills: and why:.');
  return entries
    .filter((e) => e.name.endsWith('.patch'))
    .map((e) => {
      const path = join(base, e.name);
      const shownAs = relative(root, path);
      const text = readFileSync(path, 'utf8');
      const start = text.search(DIFF_START);
      if (start < 0) throw new LabError('E_LAB_FILES', `${shownAs} holds no diff.`, 'After the header (kills:, why:), put a unified diff against solution/: diff -u solution/src/x.ts mutant/src/x.ts, with the paths as a/src/x.ts and b/src/x.ts.');
      const manifest = parseYaml(text.slice(0, start), MutantSchema, shownAs);
      const unknown = manifest.kills.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new LabError('E_MANIFEST', `${shownAs}: kills: unknown check id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, `Known checks: ${[...known].join(', ')}`);
      }
      for (const [id, key] of Object.entries(manifest.hints ?? {})) {
        if (!manifest.kills.includes(id)) throw new LabError('E_MANIFEST', `${shownAs}: hints.${id}: ${id} is not in kills`, 'A mutant can only name the hint of a check it fails.');
        const keys = Object.keys(lab.checks.find((c) => c.id === id)?.hint_when ?? {});
        if (!keys.includes(key)) {
          throw new LabError('E_MANIFEST', `${shownAs}: hints.${id}: "${key}" is not a key of ${id}'s hint_when`, keys.length ? `Its keys: ${keys.join(', ')}` : `Give ${id} a hint_when in lab.yaml first.`);
        }
      }
      let parsed: StructuredPatch[];
      try {
        parsed = parsePatch(text.slice(start));
      } catch (error) {
        throw new LabError('E_LAB_FILES', `${shownAs} is not a valid unified diff: ${(error as Error).message}`, 'Make it again with diff -u (or git diff), from solution/ to the mutant.');
      }
      const patches = parsed.map((patch) => {
        const from = (patch.oldFileName ?? '').replace(/^a\//, '');
        const to = (patch.newFileName ?? '').replace(/^b\//, '');
        if (from !== to) throw new LabError('E_LAB_FILES', `${shownAs}: a diff from ${from || '(nothing)'} to ${to || '(nothing)'}: a mutant changes files of the solution in place.`, 'Name the same file on both sides: --- a/src/x.ts and +++ b/src/x.ts.');
        if (!editable(from)) throw new LabError('E_LAB_FILES', `${shownAs}: ${from} is not a file the learner edits (files: in lab.yaml).`, 'A mutant is a bug a learner could write, so it changes only their files.');
        if (patch.hunks.length === 0) throw new LabError('E_LAB_FILES', `${shownAs}: the diff of ${from} has no hunks.`, 'Make it again with diff -u (or git diff).');
        return { file: from, patch };
      });
      if (patches.length === 0) throw new LabError('E_LAB_FILES', `${shownAs} holds no diff.`, 'After the header, put a unified diff against solution/.');
      return { name: e.name.replace(/\.patch$/, ''), path, manifest, patches };
    });
}

/**
 * The solution's files with a mutant's patches applied (jsdiff's applyPatch, no fuzz). A hunk that
 * no longer applies is an authoring error naming the mutant and the hunk.
 */
export function mutantFiles(mutant: Mutant, solution: Map<string, Buffer>, root: string): Map<string, Buffer> {
  const shownAs = relative(root, mutant.path);
  const files = new Map(solution);
  for (const { file, patch } of mutant.patches) {
    const before = solution.get(file);
    if (!before) throw new LabError('E_LAB_FILES', `${shownAs}: patches ${file}, which solution/ does not have.`, 'A mutant is a diff against a file of solution/.');
    const after = applyPatch(before.toString('utf8'), patch);
    if (after === false) {
      const k = patch.hunks.findIndex((h) => applyPatch(before.toString('utf8'), { ...patch, hunks: [h] }) === false);
      const h = patch.hunks[Math.max(0, k)];
      throw new LabError('E_LAB_FILES', `${shownAs}: hunk ${Math.max(0, k) + 1} of ${patch.hunks.length} for ${file} (@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@) does not apply to solution/${file}.`, 'solution/ changed under the mutant: make the patch again from the current solution (docs/lab-format.md, "Mutants").');
    }
    files.set(file, Buffer.from(after, 'utf8'));
  }
  return files;
}
