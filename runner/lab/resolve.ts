import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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

/** Finds a lab folder by `lab-03`, `03`, `3`, the slug or the folder name. */
export function findLabDir(query: string, root: string): string {
  const names = listLabDirs(root);
  const q = query.trim().toLowerCase().replace(/\/+$/, '').replace(/^labs\//, '');
  const num = /^(?:lab-?)?(\d{1,2})$/.exec(q);
  const match = names.find((name) => {
    const [, nn, slug] = /^lab-(\d{2})-(.+)$/.exec(name) ?? [];
    return name === q || (num && Number(nn) === Number(num[1])) || slug === q;
  });
  if (!match) {
    const list = names.length > 0 ? names.map((n) => `  ${n}`).join('\n') : '  (none: labs/ is empty)';
    throw new LabError('E_LAB_UNKNOWN', `Unknown lab "${query}". The labs are:\n${list}`, 'Name a lab by its number (3), id (lab-03), slug or folder name; `npm run lab -- list` shows them.');
  }
  return join(root, 'labs', match);
}

/** Resolves a lab name and loads its manifest. */
export function resolveLab(query: string, root: string): Lab {
  return loadLab(findLabDir(query, root), root);
}
