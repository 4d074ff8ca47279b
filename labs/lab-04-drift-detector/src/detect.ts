// Use these in detectDrift:
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

/**
 * TODO (task 5a): compare every column of `current` with the same column of `reference`.
 *
 * Validation (clear errors, checked before any test runs):
 *  - different column names -> Error naming the missing and the extra columns;
 *  - a table with no columns or no rows -> RangeError ("empty"); columns of unequal length -> RangeError;
 *  - the column type comes from the reference's first value: string -> categorical, number -> numeric.
 *    A number in a categorical column -> TypeError saying the column is categorical; a string in a
 *    numeric column -> TypeError; NaN / Infinity in a numeric column -> RangeError.
 *
 * Rules (Evidently's defaults, minus its z-test for binary columns):
 *  - a numeric column with <= CATEGORICAL_MAX_UNIQUE distinct reference values is categorical
 *    (its categories are String(value));
 *  - reference rows <= SMALL_DATA_MAX_ROWS: numeric -> ks2samp, categorical -> chiSquare of the
 *    category counts (categories = sorted union of both sides); drift if p < alpha / #columns
 *    (Bonferroni), threshold = alpha / #columns;
 *  - otherwise: numeric -> wassersteinNormed, categorical -> jensenShannon of the category counts;
 *    pvalue null; drift if distance >= distanceThreshold, threshold = distanceThreshold;
 *  - newCategories: categories with reference count 0 and current count > 0 (sorted; [] for numeric);
 *  - dataset: driftedShare = drifted / #columns, datasetDrift = driftedShare >= driftShare.
 * Report the columns in the order of Object.keys(reference).
 */
export function detectDrift(reference: Table, current: Table, opts: DriftOptions = {}): DriftReport {
  throw new Error('TODO: detectDrift');
}

/**
 * TODO (task 5b): a plain-text table for the terminal. A header line (column, kind, test, statistic,
 * p-value, threshold, drift), a separator line, one line per column, every one of these lines padded
 * to the SAME width with cells separated by " | ". Then a blank line and the verdict, e.g.
 *   Dataset drift: NO (3 of 7 columns drifted = 42.9%, threshold 50.0%)
 * Show new categories next to the column name and format numbers compactly (p-values near 0 in
 * exponent form).
 */
export function renderTable(report: DriftReport): string {
  throw new Error('TODO: renderTable');
}

/**
 * TODO (task 5c): the same report as a GitHub-flavoured Markdown table: a header row, a separator
 * row (| --- | ... |), one row per column, every row with the same number of cells (escape a "|"
 * inside a cell as "\|"), then a blank line and the verdict line containing "Dataset drift".
 */
export function renderMarkdown(report: DriftReport): string {
  throw new Error('TODO: renderMarkdown');
}
