import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { disguise, reformat, renameLocals } from '../helpers/variants.ts';
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

test('a class with planted copies: similarity.json lists exactly the planted pairs, and the report shows them side by side', async () => {
  const solution = readFileSync(join(ROOT, 'labs/lab-00-warmup/solution/src/similarity.ts'), 'utf8');
  const independent = readFileSync(join(ROOT, 'fixtures/similarity/lab-00/independent/src/similarity.ts'), 'utf8');
  const starter = readFileSync(join(ROOT, 'labs/lab-00-warmup/src/similarity.ts'), 'utf8');
  const klass = join(work, 'planted');
  const put = (student: string, text: string, under = '') => {
    mkdirSync(join(klass, student, under, 'src'), { recursive: true });
    writeFileSync(join(klass, student, under, 'src/similarity.ts'), text);
  };
  put('ann', solution); // the official solution, handed in as it is
  put('ben', solution, 'labs/lab-00-warmup'); // ann's files, in a copy of the whole repo
  put('eve', disguise(solution)); // the solution renamed, reordered, commented and reformatted
  put('fay', independent); // written apart
  put('gus', renameLocals(reformat(independent))); // fay's, disguised
  put('hal', starter); // nothing done
  const out = join(work, 'planted-grades');
  const run = await ailab(['grade', 'lab-00', klass, '--out', out, '--jobs', '2']);
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stdout).toContain('similarity: 4 identical and 4 near-duplicate pair(s) at or above 0.5');
  const similarity = JSON.parse(readFileSync(join(out, 'similarity.json'), 'utf8'));
  expect(similarity.threshold).toBe(0.5);
  const pairs = similarity.pairs.map((p: { a: string; b: string; kind: string }) => `${[p.a, p.b].sort().join('~')}:${p.kind}`).sort();
  expect(pairs).toEqual([
    '@solution~ann:identical',
    '@solution~ben:identical',
    '@solution~eve:near',
    '@starter~hal:identical',
    'ann~ben:identical',
    'ann~eve:near',
    'ben~eve:near',
    'fay~gus:near',
  ]);
  // Similarity never changes a score: ann, ben and eve all have 100.
  const grades = JSON.parse(readFileSync(join(out, 'grades.json'), 'utf8'));
  expect(grades.students.filter((s: { score: number }) => s.score === 100).map((s: { student: string }) => s.student).sort()).toEqual(['ann', 'ben', 'eve', 'fay', 'gus']);
  // A tighter threshold keeps the identical pairs and drops nothing it shouldn't: rerun with --resume.
  const strict = await ailab(['grade', 'lab-00', klass, '--out', out, '--resume', '--similarity-threshold', '1']);
  expect(strict.exitCode, strict.stderr).toBe(0);
  const strictPairs = JSON.parse(readFileSync(join(out, 'similarity.json'), 'utf8')).pairs;
  expect(strictPairs.every((p: { kind: string; score: number }) => p.kind === 'identical' || p.score === 1)).toBe(true);
  const bad = await ailab(['grade', 'lab-00', klass, '--out', join(work, 'x'), '--similarity-threshold', '2']);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain('--similarity-threshold must be a number from 0 to 1, like 0.5, not "2".');

  // Back to the 0.5 leads for the report.
  expect((await ailab(['grade', 'lab-00', klass, '--out', out, '--resume'])).exitCode).toBe(0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    for (const [width, name] of [[1300, 'similarity-wide.png'], [390, 'similarity-phone.png']] as const) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(`file://${join(out, 'report.html')}`);
      expect(await page.textContent('#similarity + .caveat')).toContain('never a verdict');
      const link = page.locator('#pairs a', { hasText: 'eve' }).first();
      const href = await link.getAttribute('href');
      await link.click();
      const pair = page.locator(href!);
      expect(await pair.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
      // Both sides of the shared code are shown, the shared lines marked on each.
      expect(await pair.locator('.region').count()).toBeGreaterThan(0);
      const marks = await pair.locator('.region').first().locator('.side').evaluateAll((sides) => sides.map((s) => s.querySelectorAll('mark').length));
      expect(marks.length).toBe(2);
      expect(Math.min(...marks)).toBeGreaterThan(0);
      const shot = join(process.env.AILAB_SCREENSHOTS ?? work, name);
      await pair.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(5_000);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
