import { ks2samp } from './ks.ts';
import { chiSquare, jensenShannon, wassersteinNormed } from './metrics.ts';

export type Value = number | string;
/** A table stored by column: every column is an array with one value per row. */
export type Table = Record<string, Value[]>;

export type ColumnKind = 'numeric' | 'categorical';
export type DriftTest = 'ks' | 'chi2' | 'wasserstein' | 'jensen-shannon';

export interface DriftOptions {
  /** Family-wise significance level for the p-value tests, before Bonferroni (default 0.05). */
  alpha?: number;
  /** Distance at or above which a column has drifted, for Wasserstein (normed) and JS (default 0.1). */
  distanceThreshold?: number;
  /** The dataset has drifted when driftedShare >= driftShare (default 0.5). */
  driftShare?: number;
}

export interface ColumnReport {
  column: string;
  /** 'categorical' for string columns AND for numeric columns with <= 5 distinct reference values. */
  kind: ColumnKind;
  test: DriftTest;
  /** D for ks, chi-square for chi2, the distance for wasserstein / jensen-shannon. */
  statistic: number;
  /** The p-value for ks and chi2; null for the distances. */
  pvalue: number | null;
  /** alpha / (number of columns) for ks and chi2; distanceThreshold for the distances. */
  threshold: number;
  drift: boolean;
  /** Categories present in the current data but absent from the reference (sorted). */
  newCategories: string[];
}

export interface DriftReport {
  columns: ColumnReport[];
  driftedCount: number;
  driftedShare: number;
  driftShare: number;
  datasetDrift: boolean;
  rowsReference: number;
  rowsCurrent: number;
}

/** Reference tables with at most this many rows use statistical tests; larger ones use distances. */
export const SMALL_DATA_MAX_ROWS = 1000;
/** Numeric columns with at most this many distinct reference values are treated as categorical. */
export const CATEGORICAL_MAX_UNIQUE = 5;

function rowCount(t: Table, name: string): number {
  const cols = Object.keys(t);
  if (cols.length === 0) throw new RangeError(`${name} table has no columns`);
  const n = t[cols[0]].length;
  for (const c of cols) {
    if (!Array.isArray(t[c])) throw new TypeError(`${name}.${c} is not an array`);
    if (t[c].length !== n) throw new RangeError(`${name}.${c} has ${t[c].length} rows but ${name}.${cols[0]} has ${n}`);
  }
  if (n === 0) throw new RangeError(`${name} table is empty: it has no rows`);
  return n;
}

function checkColumn(values: Value[], kind: 'number' | 'string', where: string): void {
  values.forEach((v, i) => {
    if (kind === 'string' && typeof v !== 'string') {
      throw new TypeError(`${where}[${i}] is ${typeof v === 'number' ? 'the number ' : ''}${String(v)}, but the column is categorical: every value must be a string`);
    }
    if (kind === 'number') {
      if (typeof v !== 'number') throw new TypeError(`${where}[${i}] is ${JSON.stringify(v)}, but the column is numeric: every value must be a number`);
      if (!Number.isFinite(v)) throw new RangeError(`${where}[${i}] is ${v}: numeric values must be finite (no NaN or Infinity)`);
    }
  });
}

/** True when `values` holds more than k distinct values (stops counting early). */
function moreDistinctThan(values: Value[], k: number): boolean {
  const seen = new Set<Value>();
  for (const v of values) {
    seen.add(v);
    if (seen.size > k) return true;
  }
  return false;
}

function counts(ref: Value[], cur: Value[]): { keys: string[]; rc: number[]; cc: number[] } {
  const r = new Map<string, number>();
  const c = new Map<string, number>();
  for (const v of ref) r.set(String(v), (r.get(String(v)) ?? 0) + 1);
  for (const v of cur) c.set(String(v), (c.get(String(v)) ?? 0) + 1);
  const keys = [...new Set([...r.keys(), ...c.keys()])].sort();
  return { keys, rc: keys.map((k) => r.get(k) ?? 0), cc: keys.map((k) => c.get(k) ?? 0) };
}

/**
 * Compares every column of `current` with the same column of `reference`.
 * Rules (Evidently's defaults, minus its z-test for binary columns):
 *   reference rows <= 1000: numeric -> KS, categorical -> chi-square; drift if p < alpha / #columns
 *   reference rows  > 1000: numeric -> Wasserstein normed by the reference std, categorical ->
 *                           Jensen-Shannon distance (base 2); drift if distance >= distanceThreshold
 *   dataset drift if (drifted columns / #columns) >= driftShare
 */
export function detectDrift(reference: Table, current: Table, opts: DriftOptions = {}): DriftReport {
  const alpha = opts.alpha ?? 0.05;
  const distanceThreshold = opts.distanceThreshold ?? 0.1;
  const driftShare = opts.driftShare ?? 0.5;
  const refCols = Object.keys(reference);
  const curCols = Object.keys(current);
  const missing = refCols.filter((c) => !(c in current));
  const extra = curCols.filter((c) => !(c in reference));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `reference and current have different columns: missing from current [${missing.join(', ')}], extra in current [${extra.join(', ')}]`,
    );
  }
  const rowsReference = rowCount(reference, 'reference');
  const rowsCurrent = rowCount(current, 'current');
  const m = refCols.length;
  const small = rowsReference <= SMALL_DATA_MAX_ROWS;

  const columns: ColumnReport[] = refCols.map((column) => {
    const ref = reference[column];
    const cur = current[column];
    const base = typeof ref[0] === 'string' ? 'string' : 'number';
    checkColumn(ref, base, `reference.${column}`);
    checkColumn(cur, base, `current.${column}`);
    const kind: ColumnKind = base === 'number' && moreDistinctThan(ref, CATEGORICAL_MAX_UNIQUE) ? 'numeric' : 'categorical';
    if (kind === 'numeric') {
      const a = ref as number[];
      const b = cur as number[];
      if (small) {
        const r = ks2samp(a, b);
        const threshold = alpha / m;
        return { column, kind, test: 'ks', statistic: r.statistic, pvalue: r.pvalue, threshold, drift: r.pvalue < threshold, newCategories: [] };
      }
      const d = wassersteinNormed(a, b);
      return { column, kind, test: 'wasserstein', statistic: d, pvalue: null, threshold: distanceThreshold, drift: d >= distanceThreshold, newCategories: [] };
    }
    const { keys, rc, cc } = counts(ref, cur);
    const newCategories = keys.filter((_, i) => rc[i] === 0 && cc[i] > 0);
    if (small) {
      const r = chiSquare(rc, cc);
      const threshold = alpha / m;
      return { column, kind, test: 'chi2', statistic: r.statistic, pvalue: r.pvalue, threshold, drift: r.pvalue < threshold, newCategories };
    }
    const d = jensenShannon(rc, cc);
    return { column, kind, test: 'jensen-shannon', statistic: d, pvalue: null, threshold: distanceThreshold, drift: d >= distanceThreshold, newCategories };
  });
  const driftedCount = columns.filter((c) => c.drift).length;
  const driftedShare = driftedCount / m;
  return { columns, driftedCount, driftedShare, driftShare, datasetDrift: driftedShare > driftShare, rowsReference, rowsCurrent };
}

/** 4 significant digits; exponent form below 1e-3 (p-values), '-' for null. */
export function formatNumber(x: number | null): string {
  if (x === null) return '-';
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6) return x.toExponential(2);
  return x.toPrecision(4);
}

const HEADER = ['column', 'kind', 'test', 'statistic', 'p-value', 'threshold', 'drift'];

function cells(c: ColumnReport): string[] {
  const drift = c.drift ? 'DRIFT' : 'ok';
  const name = c.newCategories.length > 0 ? `${c.column} (new: ${c.newCategories.join(', ')})` : c.column;
  return [name, c.kind, c.test, formatNumber(c.statistic), formatNumber(c.pvalue), formatNumber(c.threshold), drift];
}

function verdictLine(r: DriftReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return `Dataset drift: ${r.datasetDrift ? 'YES' : 'NO'} (${r.driftedCount} of ${r.columns.length} columns drifted = ${pct(r.driftedShare)}, threshold ${pct(r.driftShare)})`;
}

/** A plain-text table: one row per column, every line the same width, then the verdict line. */
export function renderTable(report: DriftReport): string {
  const rows = [HEADER, ...report.columns.map(cells)];
  const widths = HEADER.map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  const numeric = new Set([3, 4, 5]);
  const line = (r: string[]) => r.map((s, k) => (numeric.has(k) ? s.padStart(widths[k]) : s.padEnd(widths[k]))).join(' | ');
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(rows[0]), sep, ...rows.slice(1).map(line), '', verdictLine(report)].join('\n');
}

/** A GitHub-flavoured Markdown table ('|' in names escaped), then the verdict in bold. */
export function renderMarkdown(report: DriftReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = [`| ${HEADER.join(' | ')} |`, '| --- | --- | --- | ---: | ---: | ---: | --- |'];
  for (const c of report.columns) {
    const r = cells(c).map(esc);
    if (c.drift) r[6] = '**DRIFT**';
    out.push(`| ${r.join(' | ')} |`);
  }
  out.push('', `**${verdictLine(report)}**`);
  return out.join('\n');
}
