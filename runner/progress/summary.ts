import type { Lab } from '../lab/load.ts';
import { hintsUsed } from './record.ts';
import { labProgress, type Progress, type RunRecord } from './schema.ts';

/** One row of `ailab status`. */
export interface LabStatus {
  id: string;
  title: string;
  difficulty: string;
  estimatedMinutes: number;
  runs: number;
  best?: RunRecord;
  lastRun?: RunRecord;
  hintsUsed: number;
}

/** The status rows, one per lab, in lab order. */
export function labStatuses(labs: Lab[], progress: Progress): LabStatus[] {
  return labs.map((lab) => {
    const p = labProgress(progress, lab.manifest.id);
    return {
      id: lab.manifest.id,
      title: lab.manifest.title,
      difficulty: lab.manifest.difficulty,
      estimatedMinutes: lab.manifest.estimated_minutes,
      runs: p.runs.length,
      best: p.best,
      lastRun: p.lastRun,
      hintsUsed: hintsUsed(progress, lab.manifest.id),
    };
  });
}

const done = (s: LabStatus) => s.best?.status === 'pass';

/** What to do next: finish a started lab first, then start the next one. */
export function suggestNext(rows: LabStatus[]): string {
  const started = rows.find((r) => r.runs > 0 && !done(r));
  if (started) {
    const last = started.lastRun!;
    const stuck = last.notPassing[0];
    return `Keep going with ${started.id} (best ${pct(started.best!)}): ${stuck ? `fix ${stuck} next, ` : ''}then \`npm run check ${started.id}\`. Stuck? \`npm run lab -- hint ${started.id}\`.`;
  }
  const fresh = rows.find((r) => r.runs === 0);
  if (fresh) return `Start ${fresh.id}, ${fresh.title} (~${fresh.estimatedMinutes} min): edit its src/ files, then \`npm run check ${fresh.id}\`.`;
  if (rows.length === 0) return 'This course has no labs yet.';
  return 'Every lab passes. Well done!';
}

/** A run's score as a percentage. */
export function pct(run: RunRecord): string {
  return `${run.maxScore > 0 ? Math.round((100 * run.score) / run.maxScore) : 0}%`;
}

/** A timestamp as YYYY-MM-DD HH:MM in the local time zone. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
