import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { cpSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'ailab-report-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('report.html renders in headless Chromium with the right counts, and sorts', async () => {
  expect(existsSync(CHROMIUM), `Chromium is needed at ${CHROMIUM} (Debian: apt-get install chromium); .ci/run installs it`).toBe(true);
  const subs = join(ROOT, 'fixtures/submissions/lab-00');
  const klass = join(work, 'class');
  cpSync(join(subs, 'pass'), join(klass, 'ann'), { recursive: true });
  cpSync(join(subs, 'pass'), join(klass, 'ben'), { recursive: true });
  cpSync(join(subs, 'fail/partial'), join(klass, 'cat'), { recursive: true });
  cpSync(join(subs, 'error/syntax'), join(klass, 'dan'), { recursive: true });
  const out = join(work, 'grades');
  const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '2']);
  expect(run.exitCode, run.stderr).toBe(0);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1200 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${join(out, 'report.html')}`);
    const histogram = await page.$$eval('#histogram .bar', (bars) => bars.map((b) => [b.getAttribute('data-label'), Number(b.getAttribute('data-value'))]));
    expect(histogram.filter(([, v]) => (v as number) > 0)).toEqual([['0–9%', 1], ['80–89%', 1], ['90–100%', 2]]);
    const widths = await page.$$eval('#histogram rect', (rects) => rects.map((r) => (r as unknown as { getBBox(): { width: number } }).getBBox().width));
    expect(widths[9]).toBeGreaterThan(widths[8]); // the drawn bars follow the counts
    const ties = await page.$eval('#pass-rates .bar[data-label="topk-ties"]', (b) => Number(b.getAttribute('data-value')));
    expect(ties).toBe(50); // ann and ben pass it, cat and dan do not
    await page.click('#students th:nth-child(3)'); // sort by score, ascending
    const order = await page.$$eval('#students tbody tr', (trs) => trs.map((tr) => tr.children[0].textContent));
    expect(order).toEqual(['dan', 'cat', 'ann', 'ben']);
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true); // self-contained: no network
    const shot = join(work, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  } finally {
    await browser.close();
  }
  expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<svg id="histogram"');
});
