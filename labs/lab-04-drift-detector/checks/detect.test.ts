import { describe, expect, test } from 'vitest';
import { learner } from '#ailab/learner';
import type * as Detect from '../src/detect.ts';
import type { DriftReport, Table } from '../src/detect.ts';
import { expectRel, fixture } from './helpers.ts';

// Your code runs in a process of its own; every call to it is awaited.
const { detectDrift, renderMarkdown, renderTable } = await learner<typeof Detect>('src/detect.ts');

const expected = fixture('expected.json');
const small: [Table, Table] = [fixture('reference_small.json').columns, fixture('current_small.json').columns];
const large: [Table, Table] = [fixture('reference_large.json').columns, fixture('current_large.json').columns];

interface ExpectedColumn {
  column: string;
  kind: string;
  test: string;
  statistic: number;
  pvalue: number | null;
  drift: boolean;
  newCategories: string[];
}

function compare(report: DriftReport, exp: { columns: ExpectedColumn[]; driftedCount: number; datasetDrift: boolean }, label: string) {
  expect(report.columns.map((c) => c.column), `${label}: one report row per column, in the table's column order`).toEqual(exp.columns.map((c) => c.column));
  exp.columns.forEach((e, i) => {
    const c = report.columns[i];
    const at = `${label}, column ${e.column}`;
    expect(c.kind, `${at}: kind`).toBe(e.kind);
    expect(c.test, `${at}: test chosen by the documented rules`).toBe(e.test);
    expectRel(c.statistic, e.statistic, 1e-6, `${at}: ${e.test} statistic`);
    if (e.pvalue === null) expect(c.pvalue, `${at}: distances have no p-value`).toBeNull();
    else expectRel(c.pvalue as number, e.pvalue, 1e-4, `${at}: p-value`, 1e-300);
    expect(c.drift, `${at}: drift verdict`).toBe(e.drift);
    expect(c.newCategories, `${at}: new categories`).toEqual(e.newCategories);
    const threshold = e.pvalue === null ? 0.1 : 0.05 / exp.columns.length;
    expectRel(c.threshold, threshold, 1e-12, `${at}: threshold (${e.pvalue === null ? 'distanceThreshold' : 'alpha / number of columns'})`);
  });
  expect(report.driftedCount, `${label}: drifted columns`).toBe(exp.driftedCount);
  expect(report.datasetDrift, `${label}: dataset verdict`).toBe(exp.datasetDrift);
}

const HEADER = ['column', 'kind', 'test', 'statistic', 'p-value', 'threshold', 'drift'];

/** The README's number format: 4 significant digits, exponent form (3 digits) below 1e-3 and from 1e6 on, '0', '-' for none. */
function shownAs(x: number | null): string {
  if (x === null) return '-';
  if (x === 0) return '0';
  if (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6) return x.toExponential(2);
  return x.toPrecision(4);
}

/** The cells of a report row as the README shows them, column name with its new categories. */
function expectedCells(c: DriftReport['columns'][number]): string[] {
  const name = c.newCategories.length > 0 ? `${c.column} (new: ${c.newCategories.join(', ')})` : c.column;
  return [name, c.kind, c.test, shownAs(c.statistic), shownAs(c.pvalue), shownAs(c.threshold), c.drift ? 'DRIFT' : 'ok'];
}

function expectTableLayout(report: DriftReport, text: string, label: string) {
  const lines = text.split('\n');
  const n = report.columns.length;
  expect(lines.length, `${label}: header, separator, one line per column, a blank line and the verdict:\n${text}`).toBe(n + 4);
  expect(lines[0].split('|').map((s) => s.trim()), `${label}: the header line`).toEqual(HEADER);
  expect(lines[1], `${label}: the separator line is dashes (and + or | where the cells meet)`).toMatch(/^[-+|]+$/);
  for (const l of lines.slice(1, n + 2)) expect(l.length, `${label}: every table line has the header's width:\n${text}`).toBe(lines[0].length);
  report.columns.forEach((c, i) => {
    const raw = lines[i + 2].split(' | ');
    expect(raw.map((s) => s.trim()), `${label}: the line of column ${c.column}`).toEqual(expectedCells(c));
    for (const k of [3, 4, 5]) expect(raw[k], `${label}, column ${c.column}: numbers are right-aligned`).toBe(raw[k].trimEnd());
    for (const k of [0, 1, 2]) expect(raw[k], `${label}, column ${c.column}: text is left-aligned`).toBe(raw[k].trimStart());
  });
  expect(lines[n + 2], `${label}: a blank line before the verdict`).toBe('');
  expect(lines[n + 3], `${label}: the verdict line`).toMatch(/^Dataset drift: (YES|NO) \(/);
}

/** Cells of a Markdown row: split at the | that are not escaped. */
const mdCells = (row: string) => row.trim().slice(1, -1).split(/(?<!\\)\|/).map((s) => s.trim());

function expectMarkdownCells(report: DriftReport, md: string, label: string) {
  const lines = md.split('\n');
  const n = report.columns.length;
  expect(mdCells(lines[0]), `${label}: the Markdown header row`).toEqual(HEADER);
  report.columns.forEach((c, i) => {
    const want = expectedCells(c).map((s) => s.replace(/\|/g, '\\|'));
    want[6] = c.drift ? '**DRIFT**' : 'ok';
    expect(mdCells(lines[i + 2]), `${label}: the Markdown row of column ${c.column}`).toEqual(want);
  });
  expect(lines[n + 2], `${label}: a blank line after the Markdown table`).toBe('');
  expect(lines[n + 3], `${label}: the verdict after it`).toMatch(/Dataset drift: (YES|NO) \(\d+ of \d+ columns drifted = [\d.]+%, threshold [\d.]+%\)/);
}

/** A report made by hand, with numbers on both sides of each edge of the format. */
function handMade(): DriftReport {
  const row = (column: string, statistic: number, pvalue: number | null, drift: boolean, newCategories: string[] = []) => ({
    column,
    kind: 'numeric' as const,
    test: 'ks' as const,
    statistic,
    pvalue,
    threshold: 0.01,
    drift,
    newCategories,
  });
  const columns = [
    row('tiny', 1e-3, 9.99e-4, false),
    row('big', 1e6, 999999, true),
    { ...row('none', 0, null, false, ['p', 'q']), kind: 'categorical' as const, test: 'jensen-shannon' as const },
    row('negative', -0.000123, 0.5, true),
  ];
  return { columns, driftedCount: 2, driftedShare: 0.5, driftShare: 0.5, datasetDrift: true, rowsReference: 10, rowsCurrent: 10 };
}

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => '(no error)',
    (e: unknown) => String((e as Error)?.message ?? e),
  );

describe('detectDrift (hidden)', () => {
  test('per-column verdicts on the small fixture table (tests) match the documented expectation', async () => {
    compare(await detectDrift(...small), expected.verdicts.small, 'small table (500 reference rows)');
  });

  test('per-column verdicts on the large fixture table (distances) match the documented expectation', async () => {
    compare(await detectDrift(...large), expected.verdicts.large, 'large table (3000 reference rows)');
  });

  test('the dataset verdict follows the share rule (drifted share >= driftShare)', async () => {
    const r50 = await detectDrift(...small);
    expectRel(r50.driftedShare, 3 / 7, 1e-12, 'share of drifted columns');
    expect(r50.datasetDrift, '3 of 7 columns drifted is below the default share 0.5').toBe(false);
    expect((await detectDrift(...small, { driftShare: 0.4 })).datasetDrift, '3/7 >= 0.4').toBe(expected.verdicts.smallShare40.datasetDrift);
    expect((await detectDrift(...small, { driftShare: 3 / 7 })).datasetDrift, 'the rule is >=: a share exactly equal to driftShare is drift').toBe(true);
    expect((await detectDrift(...large, { driftShare: 0.43 })).datasetDrift).toBe(false);
  });

  test('applies the Bonferroni correction: alpha / number of columns', async () => {
    const ks = expected.ks.find((c: { name: string }) => c.name === 'unequal 80 vs 120');
    // p = 0.0114: below alpha = 0.05 alone, above 0.05 / 5 = 0.01 next to four other columns
    const one = await detectDrift({ x: ks.a }, { x: ks.b });
    expect(one.columns[0].drift, `one column: p = ${ks.pvalue} < 0.05 is drift`).toBe(true);
    const filler = (n: number) => Array.from({ length: n }, () => 'A');
    const ref: Table = { x: ks.a, c1: filler(80), c2: filler(80), c3: filler(80), c4: filler(80) };
    const cur: Table = { x: ks.b, c1: filler(120), c2: filler(120), c3: filler(120), c4: filler(120) };
    const five = await detectDrift(ref, cur);
    expectRel(five.columns[0].threshold, 0.01, 1e-12, 'threshold for 5 columns');
    expect(five.columns[0].drift, `five columns: p = ${ks.pvalue} is not below 0.05 / 5 = 0.01`).toBe(false);
    expectRel((await detectDrift(...small)).columns[0].threshold, 0.05 / 7, 1e-12, 'threshold of the small table');
  });

  test('renders a readable terminal table and Markdown', async () => {
    const report = await detectDrift(...small);
    const text = await renderTable(report);
    const lines = text.split('\n');
    expectTableLayout(report, text, 'the small fixture table');
    const largeReport = await detectDrift(...large);
    expectTableLayout(largeReport, await renderTable(largeReport), 'the large fixture table');
    expectMarkdownCells(largeReport, await renderMarkdown(largeReport), 'the large fixture table');
    expect(lines.at(-1), 'the verdict line, as the README shows it').toBe('Dataset drift: NO (3 of 7 columns drifted = 42.9%, threshold 50.0%)');
    const yes = await renderTable(await detectDrift(...small, { driftShare: 0.4 }));
    expect(yes.split('\n').at(-1), 'the verdict line when the dataset drifted').toBe('Dataset drift: YES (3 of 7 columns drifted = 42.9%, threshold 40.0%)');
    const edge = handMade();
    expectTableLayout(edge, await renderTable(edge), 'a report with numbers at the edges of the format');
    expectMarkdownCells(edge, await renderMarkdown(edge), 'a report with numbers at the edges of the format');
    for (const c of report.columns) expect(text, `the table must name column ${c.column}`).toContain(c.column);
    const barLines = lines.filter((l) => l.includes('|'));
    expect(barLines.length, 'a header line and one line per column, cells separated by |').toBeGreaterThanOrEqual(report.columns.length + 1);
    const bars = (l: string) => [...l].flatMap((ch, k) => (ch === '|' ? [k] : [])).join(',');
    const layouts = new Set(barLines.map(bars));
    expect(layouts.size, `the | separators must line up in every line (pad each cell to its column width):\n${text}`).toBe(1);
    expect(text).toMatch(/dataset drift: no/i);

    const md = await renderMarkdown(report);
    const rows = md.split('\n').filter((l) => l.trim().startsWith('|'));
    expect(rows.length, 'Markdown: header, separator and one row per column').toBe(report.columns.length + 2);
    expect(rows[1], 'the second Markdown row is the separator').toMatch(/^\|\s*:?-{3,}:?\s*\|/);
    const cellCount = (l: string) => l.replace(/\\\|/g, '').split('|').length - 2;
    for (const r of rows) expect(cellCount(r), `every Markdown row has as many cells as the header: ${r}`).toBe(cellCount(rows[0]));
    expect(md).toMatch(/dataset drift/i);
    expectMarkdownCells(report, md, 'the small fixture table');
    const piped = await detectDrift({ 'a|b': [1, 2, 3, 4, 5, 6, 7] }, { 'a|b': [1, 2, 3, 4, 5, 6, 8] });
    const pipedRows = (await renderMarkdown(piped)).split('\n').filter((l) => l.trim().startsWith('|'));
    expect(cellCount(pipedRows[2]), 'a | inside a column name must be escaped as \\| in Markdown').toBe(cellCount(pipedRows[0]));
    expect(mdCells(pipedRows[2])[0], 'the column a|b is written a\\|b in Markdown').toBe('a\\|b');
  });

  test('rejects mismatched columns and a number in a categorical column', async () => {
    await expect(detectDrift({ a: [1], b: [2] }, { a: [1], c: [2] }), 'current has c instead of b').rejects.toThrow(/column/i);
    await expect(detectDrift({ a: [1], b: [2] }, { a: [1] }), 'current lacks b').rejects.toThrow(/column/i);
    await expect(detectDrift({ g: ['x', 'y', 'x'] }, { g: ['x', 3 as unknown as string, 'y'] }), 'a number in a categorical column').rejects.toThrow(/categorical/i);
    await expect(detectDrift({ g: ['x', 'y'] }, { g: [] }), 'an empty current table').rejects.toThrow(/empty/i);
    await expect(detectDrift({ v: [1, 2, 3, 4, 5, 6] }, { v: [1, NaN, 3] }), 'NaN in a numeric column').rejects.toThrow(/NaN|finite/i);
    // only extra columns, and several names: each is listed
    await expect(detectDrift({ a: [1] }, { a: [1], extra: [2] }), 'current has an extra column').rejects.toThrow(/\bextra\b/);
    const missing = await rejection(detectDrift({ a: [1], left: [1], right: [2] }, { a: [1], up: [3], down: [4] }));
    expect(missing, 'list the missing columns').toMatch(/\bleft\b.*\bright\b/);
    expect(missing, 'list the extra columns').toMatch(/\bup\b.*\bdown\b/);
    // errors name the table, the column and, for a bad value, its index
    const bad = async (ref: Table, cur: Table, type: typeof Error, pattern: RegExp, what: string) => {
      const e = await detectDrift(ref, cur).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e, `${what}: detectDrift must throw`).toBeInstanceOf(type);
      expect((e as Error).message, what).toMatch(pattern);
    };
    const six = [1, 2, 3, 4, 5, 6];
    await bad({}, {}, RangeError, /\breference\b.*(empty|no columns)/i, 'tables without columns');
    await bad({ g: ['x'] }, { g: [] }, RangeError, /\bcurrent\b.*empty/i, 'an empty current table is named');
    await bad({ g: [] }, { g: ['x'] }, RangeError, /\breference\b.*empty/i, 'an empty reference table is named');
    await bad({ height: six, width: [1, 2] }, { height: six, width: six }, RangeError, /\bwidth\b/, 'columns of unequal length in the reference');
    await bad({ height: six, width: six }, { height: six, width: [1, 2, 3] }, RangeError, /\bwidth\b/, 'columns of unequal length in the current table');
    await bad({ height: six }, { height: [1, 'tall' as unknown as number, 3] }, TypeError, /\bheight\b.*\b1\b.*numeric|numeric.*\bheight\b/, 'a string in a numeric column');
    await bad({ height: six }, { height: [1, 2, Infinity] }, RangeError, /\bcurrent\b.*\bheight\b.*\b2\b/, 'Infinity in a numeric column of the current table');
    await bad({ height: [1, 2, 3, NaN, 5, 6] }, { height: six }, RangeError, /\breference\b.*\bheight\b.*\b3\b/, 'NaN in a numeric column of the reference');
    await bad({ zeta: six }, { zeta: 'abc' as unknown as number[] }, TypeError, /\bzeta\b/, 'a column that is not an array');
  });

  test('the documented rules hold at their boundaries', async () => {
    const col = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
    const num = (n: number, shift = 0) => col(n, (i) => ((i * 37) % 101) + shift);
    const cat = (n: number) => col(n, (i) => ['a', 'b', 'c'][i % 3]);
    const tests = (r: DriftReport) => r.columns.map((c) => c.test);
    expect(tests(await detectDrift({ x: num(1000), g: cat(1000) }, { x: num(300, 3), g: cat(300) })), '1000 reference rows are still small data: p-value tests').toEqual(['ks', 'chi2']);
    expect(tests(await detectDrift({ x: num(1001), g: cat(1001) }, { x: num(300, 3), g: cat(300) })), '1001 reference rows use the distances').toEqual(['wasserstein', 'jensen-shannon']);

    const kinds = await detectDrift(
      { five: col(60, (i) => i % 5), six: col(60, (i) => i % 6), names: col(60, (i) => `city${i % 12}`) },
      { five: col(40, (i) => i % 5), six: col(40, (i) => i % 6), names: col(40, (i) => `city${i % 12}`) },
    );
    expect(kinds.columns.map((c) => `${c.column}: ${c.kind} ${c.test}`), 'at most 5 distinct reference numbers is categorical; a string column is categorical however many values it has').toEqual([
      'five: categorical chi2',
      'six: numeric ks',
      'names: categorical chi2',
    ]);

    // p exactly at the threshold is not drift (p < alpha / m); a distance exactly at it is (d >= threshold)
    const ref: Table = { x: num(200), g: col(200, (i) => ['a', 'b', 'c'][i % 3]) };
    const cur: Table = { x: num(150, 6), g: col(150, (i) => ['a', 'b', 'c', 'a'][i % 4]) };
    for (const k of [0, 1]) {
      const only = (t: Table) => ({ [Object.keys(t)[k]]: t[Object.keys(t)[k]] });
      const base = (await detectDrift(only(ref), only(cur))).columns[0];
      const at = (await detectDrift(only(ref), only(cur), { alpha: base.pvalue as number })).columns[0];
      expect(at.threshold, `${base.test}: threshold = alpha / 1`).toBe(base.pvalue);
      expect(at.drift, `${base.test}: p = ${base.pvalue} equal to the threshold is not drift (p < threshold)`).toBe(false);
    }
    const bigRef: Table = { x: num(1500), g: col(1500, (i) => ['a', 'b', 'c'][i % 3]) };
    const bigCur: Table = { x: num(900, 6), g: col(900, (i) => ['a', 'b', 'c', 'a'][i % 4]) };
    for (const c of (await detectDrift(bigRef, bigCur)).columns) {
      const at = (await detectDrift(bigRef, bigCur, { distanceThreshold: c.statistic })).columns.find((x) => x.column === c.column)!;
      expect(at.drift, `${c.test}: a distance equal to distanceThreshold is drift (d >= threshold)`).toBe(true);
    }

    const fresh = await detectDrift({ g: ['m', 'b', 'm', 'b', 'm', 'b'] }, { g: ['zz', 'm', 'yy', 'b', 'zz', 'aa'] });
    expect(fresh.columns[0].newCategories, 'new categories, sorted').toEqual(['aa', 'yy', 'zz']);
  });
});
