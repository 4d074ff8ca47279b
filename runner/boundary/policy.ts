// The import policy of learner code (lab.yaml's `learner_imports`), checked in the learner process
// before Node resolves an import, so a denied import is one clear error. The permission model's
// read list (see spawn.ts) is the wall behind it: code that bypasses this check still cannot read
// a package, a check or a fixture the policy leaves out.
import { builtinModules } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** Built-in modules learner code may never import: they start processes or reach into other ones. */
export const DENIED_BUILTINS = ['child_process', 'cluster', 'worker_threads', 'inspector', 'inspector/promises', 'trace_events'];

/** What the learner process is allowed, with paths relative to the run tree's root. */
export interface LearnerPolicy {
  /** The lab's id, for messages. */
  lab: string;
  /** The lab's folder, e.g. `labs/lab-00-warmup`. */
  labDir: string;
  /** lab.yaml's learner_imports: package names, or package subpaths with `*` for one segment. */
  imports: string[];
  /** Files and folders learner code may read and import (its sources, the public fixtures). */
  readable: string[];
}

/** Why an import was refused; `code` is stable. */
export class ImportDeniedError extends Error {
  override name = 'ImportDeniedError';
  readonly code = 'E_IMPORT_DENIED';
}

/** The package name and subpath of a bare specifier: `@a/b/c` → [`@a/b`, `c`]. */
export function splitSpecifier(spec: string): [string, string] {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  return [parts.slice(0, n).join('/'), parts.slice(n).join('/')];
}

/** A learner_imports subpath (`ranks/*`, `*` for one path segment) as a pattern over subpaths. */
export function subpathPattern(sub: string): RegExp {
  return new RegExp(`^${sub.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);
}

/** True when `spec` (a bare specifier) is one the policy lists. */
export function importAllowed(spec: string, imports: string[]): boolean {
  const [pkg, sub] = splitSpecifier(spec);
  return imports.some((entry) => {
    const [allowedPkg, allowedSub] = splitSpecifier(entry);
    if (allowedPkg !== pkg) return false;
    return !allowedSub || subpathPattern(allowedSub).test(sub);
  });
}

/** True when `inner` is `outer` or lies inside it. */
export function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

function allowedText(policy: LearnerPolicy): string {
  const packages = policy.imports.length > 0 ? `, and these packages: ${policy.imports.join(', ')}` : ', and no packages';
  return `${policy.lab}'s learner code may import Node's built-in modules (except ${DENIED_BUILTINS.slice(0, 4).join(', ')}), the lab's own source files${packages} (learner_imports in lab.yaml)`;
}

/**
 * Throws ImportDeniedError when a learner file (`parent`, absolute) may not import `spec`.
 * Imports from inside a package are the package's own business: the read list bounds them.
 */
export function checkImport(spec: string, parent: string | undefined, root: string, policy: LearnerPolicy): void {
  if (!parent || !within(parent, resolve(root, policy.labDir)) || parent.split(sep).includes('node_modules')) return;
  const from = relative(root, parent).split(sep).join('/').slice(policy.labDir.length + 1);
  const name = spec.startsWith('node:') ? spec.slice(5) : spec;
  if (builtinModules.includes(name) || spec.startsWith('node:')) {
    if (DENIED_BUILTINS.includes(name)) {
      throw new ImportDeniedError(`${from} imports "${spec}", which is not allowed: learner code may not start processes or threads or use the inspector. ${allowedText(policy)}.`);
    }
    return;
  }
  if (spec.startsWith('.') || isAbsolute(spec) || spec.startsWith('file:')) {
    const target = spec.startsWith('file:') ? new URL(spec).pathname : resolve(dirname(parent), spec);
    if (!policy.readable.some((entry) => within(target, resolve(root, entry)))) {
      throw new ImportDeniedError(`${from} imports "${spec}", which is outside the files learner code may read. ${allowedText(policy)}.`);
    }
    return;
  }
  if (!importAllowed(spec, policy.imports)) {
    throw new ImportDeniedError(`${from} imports "${spec}", which is not allowed. ${allowedText(policy)}.`);
  }
}
