// A lab's README.md and the `docs:` links of its checks: what they point to and whether it exists.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { closest } from '../cli.ts';
import type { Lab } from './load.ts';
import { markdownAnchors } from './markdown.ts';

/** Where a `docs:` value points: a URL (never fetched), or a file relative to the lab folder with an optional anchor. */
export type DocsTarget = { kind: 'url'; url: string } | { kind: 'file'; path: string; anchor?: string };

/** A URL scheme of two letters or more, so a Windows drive (`C:`) is not one. */
const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i;
const MARKDOWN = /\.(?:md|markdown)$/i;

/** Parses a `docs:` value: `#anchor` (in the lab's README.md), `path#anchor` or `path` relative to the lab folder, or a URL. */
export function parseDocs(docs: string): DocsTarget {
  if (URL_SCHEME.test(docs) || docs.startsWith('//')) return { kind: 'url', url: docs };
  const hash = docs.indexOf('#');
  const path = hash === -1 ? docs : docs.slice(0, hash);
  let anchor = hash === -1 ? undefined : docs.slice(hash + 1);
  try {
    if (anchor !== undefined) anchor = decodeURIComponent(anchor);
  } catch {
    // not percent-encoded after all: compare it as written
  }
  return { kind: 'file', path: path || 'README.md', anchor };
}

const toPosix = (path: string) => path.split(sep).join('/');

/** Where a check's docs are, for a learner to open: a path from the course root with its anchor, or the URL; the lab's README.md without `docs:`. */
export function docsLocation(lab: Lab, root: string, docs?: string): string {
  const target = parseDocs(docs ?? '');
  if (target.kind === 'url') return target.url;
  const path = toPosix(relative(root, resolve(lab.dir, target.path)));
  return target.anchor === undefined ? path : `${path}#${target.anchor}`;
}

/** The file's kind, or undefined when nothing is there. */
function kindOf(path: string): 'file' | 'folder' | undefined {
  try {
    const stat = statSync(path);
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with one `docs:` link, or undefined when it resolves (or is a URL, which is not checked). */
function linkProblem(docs: string, lab: Lab, root: string, anchorsOf: (file: string) => Set<string> | undefined): string | undefined {
  const target = parseDocs(docs);
  if (target.kind === 'url') return undefined;
  if (isAbsolute(target.path) || /^[a-z]:/i.test(target.path)) return 'is an absolute path: use #anchor, a path relative to the lab folder, or a URL';
  const readme = resolve(lab.dir, 'README.md');
  const file = resolve(lab.dir, target.path);
  const fromRoot = relative(resolve(root), file);
  if (fromRoot.startsWith('..') || isAbsolute(fromRoot)) return 'points outside the course';
  const shown = toPosix(file.startsWith(resolve(lab.dir) + sep) ? relative(lab.dir, file) : fromRoot);
  const kind = kindOf(file);
  if (kind === undefined) {
    if (file === readme) return undefined; // a missing README.md is reported once, not per link
    const meantAnchor = target.anchor === undefined && anchorsOf(readme)?.has(docs);
    return `names ${shown}, which does not exist${meantAnchor ? `. Did you mean "#${docs}"?` : ''}`;
  }
  if (kind === 'folder') return `names ${shown}, which is a folder, not a file`;
  if (target.anchor === undefined || !MARKDOWN.test(file)) return undefined;
  if (target.anchor === '') return 'has an empty anchor after #';
  const anchors = anchorsOf(file) ?? new Set<string>();
  if (anchors.has(target.anchor)) return undefined;
  const guess = closest(target.anchor, [...anchors]);
  return `is not a heading in ${shown}${guess ? `. Did you mean "${docs.slice(0, docs.indexOf('#') + 1)}${guess}"?` : ''}`;
}

/**
 * Problems with a lab's README.md and its checks' `docs:` links, one line each, naming the check:
 * a missing README.md, a link to a file that does not exist or lies outside the course, and an
 * anchor that no heading (GitHub slug) or `<a id>`/`<a name>` of a Markdown file defines. URLs are
 * not checked, nor anchors into files that are not Markdown (such as GitHub's `#L10`).
 */
export function docsProblems(lab: Lab, root: string): string[] {
  const problems: string[] = [];
  const readmeKind = kindOf(resolve(lab.dir, 'README.md'));
  if (readmeKind === 'folder') problems.push('README.md is a folder, not a file');
  else if (readmeKind === undefined) problems.push('README.md is missing: every lab needs one (see docs/lab-format.md)');
  const cache = new Map<string, Set<string> | undefined>();
  const anchorsOf = (file: string) => {
    if (!cache.has(file)) cache.set(file, kindOf(file) === 'file' ? markdownAnchors(readFileSync(file, 'utf8')) : undefined);
    return cache.get(file);
  };
  lab.manifest.tasks.forEach((task, t) =>
    task.checks.forEach((check, c) => {
      const what = check.docs === undefined ? undefined : linkProblem(check.docs, lab, root, anchorsOf);
      if (what) problems.push(`lab.yaml: tasks[${t}].checks[${c}].docs (${check.id}): "${check.docs}" ${what}`);
    }),
  );
  return problems;
}
