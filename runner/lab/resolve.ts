import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closest } from '../cli.ts';
import { LabError } from '../core/errors.ts';
import { loadLab, type Lab } from './load.ts';

/** The lab folders under labs/, sorted by name (lab-00-warmup, lab-01-…). */
export function listLabDirs(root: string): string[] {
  const base = join(root, 'labs');
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^lab-\d{2}-/.test(e.name) && existsSync(join(base, e.name, 'lab.yaml')))
    .map((e) => e.name)
    .sort();
}

/**
 * Finds a lab folder by `lab-03`, `03`, `3`, the slug, the folder name, or a prefix of the slug
 * (`drift`) or of one of its words (`batch`) that only one lab has. An unknown name gets the
 * closest lab as a suggestion.
 */
export function findLabDir(query: string, root: string): string {
  const names = listLabDirs(root);
  const q = query.trim().toLowerCase().replace(/\/+$/, '').replace(/^labs\//, '');
  const num = /^(?:lab-?)?(\d{1,2})$/.exec(q);
  const parts = (name: string) => /^lab-(\d{2})-(.+)$/.exec(name) ?? [];
  const exact = names.find((name) => {
    const [, nn, slug] = parts(name);
    return name === q || (num && Number(nn) === Number(num[1])) || slug === q;
  });
  if (exact) return join(root, 'labs', exact);
  const prefixed = q.length >= 2 ? names.filter((name) => parts(name)[2]?.split('-').some((_, i, words) => words.slice(i).join('-').startsWith(q))) : [];
  if (prefixed.length === 1) return join(root, 'labs', prefixed[0]);
  const list = names.length > 0 ? names.map((n) => `  ${n}`).join('\n') : '  (none: labs/ is empty)';
  const guess = prefixed.length > 1 ? undefined : closest(q, names.flatMap((n) => [n, parts(n)[2] ?? n]));
  const suggestion = prefixed.length > 1 ? ` It could be ${prefixed.join(' or ')}: say which.` : guess ? ` Did you mean "${guess}"?` : '';
  throw new LabError('E_LAB_UNKNOWN', `Unknown lab "${query}".${suggestion} The labs are:\n${list}`, 'Name a lab by its number (3), id (lab-03), slug or folder name; `npm run lab -- list` shows them.');
}

/** Resolves a lab name and loads its manifest. */
export function resolveLab(query: string, root: string): Lab {
  return loadLab(findLabDir(query, root), root);
}
