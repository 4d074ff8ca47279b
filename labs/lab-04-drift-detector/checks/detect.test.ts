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
  });
  expect(report.driftedCount, `${label}: drifted columns`).toBe(exp.driftedCount);
  expect(report.datasetDrift, `${label}: dataset verdict`).toBe(exp.datasetDrift);
}

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
    const piped = await detectDrift({ 'a|b': [1, 2, 3, 4, 5, 6, 7] }, { 'a|b': [1, 2, 3, 4, 5, 6, 8] });
    const pipedRows = (await renderMarkdown(piped)).split('\n').filter((l) => l.trim().startsWith('|'));
    expect(cellCount(pipedRows[2]), 'a | inside a column name must be escaped as \\| in Markdown').toBe(cellCount(pipedRows[0]));
  });

  test('rejects mismatched columns and a number in a categorical column', async () => {
    await expect(detectDrift({ a: [1], b: [2] }, { a: [1], c: [2] }), 'current has c instead of b').rejects.toThrow(/column/i);
    await expect(detectDrift({ a: [1], b: [2] }, { a: [1] }), 'current lacks b').rejects.toThrow(/column/i);
    await expect(detectDrift({ g: ['x', 'y', 'x'] }, { g: ['x', 3 as unknown as string, 'y'] }), 'a number in a categorical column').rejects.toThrow(/categorical/i);
    await expect(detectDrift({ g: ['x', 'y'] }, { g: [] }), 'an empty current table').rejects.toThrow(/empty/i);
    await expect(detectDrift({ v: [1, 2, 3, 4, 5, 6] }, { v: [1, NaN, 3] }), 'NaN in a numeric column').rejects.toThrow(/NaN|finite/i);
  });
});
