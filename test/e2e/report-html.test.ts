import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { ailab, ROOT } from '../helpers/cli.ts';
import { disguise, reformat, renameLocals } from '../helpers/variants.ts';
import { loadLab } from '../../runner/lab/load.ts';
import { reportHtml } from '../../runner/grade/report-html.ts';
import { readResultsFile } from '../../runner/results/schema.ts';
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
  // Two copies of the solution score alike: a check lost to the machine's load shows here, with its message.
  const lost = ['ann', 'ben'].flatMap((student) => {
    const r = readResultsFile(join(out, 'results', `${student}.json`));
    return (r?.checks ?? []).filter((k) => k.status !== 'pass').map((k) => `${student} ${k.id} ${k.status} after ${k.durationMs} ms: ${k.message ?? ''}`);
  });
  expect(lost, lost.join('\n')).toEqual([]);

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
    // Cells are coloured by status, and the names stay in view when the table scrolls sideways.
    const catRow = page.locator('#students tbody tr', { hasText: 'cat' });
    expect(await catRow.locator('td.st-fail').count()).toBeGreaterThan(0);
    expect(await catRow.locator('td.st-pass').count()).toBeGreaterThan(0);
    expect(await page.$eval('#students td:first-child', (td) => (globalThis as unknown as { getComputedStyle(e: unknown): { position: string } }).getComputedStyle(td).position)).toBe('sticky');
    // A name opens the student's panel: the failing checks with their messages and hints, the hash and the time graded.
    await catRow.locator('td:first-child a').click();
    const panel = page.locator('details.student[data-student="cat"]');
    expect(await panel.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
    expect(await panel.locator('ul.failing li').count()).toBeGreaterThan(0);
    expect(await panel.locator('ul.failing .hint').first().textContent()).toMatch(/^Hint: /);
    expect(await panel.locator('ul.failing pre.msg').count()).toBeGreaterThan(0);
    const sha = await catRow.getAttribute('data-sha256');
    expect(await panel.locator('dl.meta').textContent()).toContain(sha!);
    // The per-task view and the heatmap: one row per check, one cell per student.
    expect(await page.locator('#task-table tbody tr').count()).toBeGreaterThan(1);
    expect(await page.locator('.hm-row').count()).toBe(await page.locator('#pass-rates .bar').count());
    expect(await page.locator('.hm-row').first().locator('a.hm').count()).toBe(4);
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
      // From eve's row to her panel, and from there to a similarity lead.
      await page.locator('#students td:first-child a', { hasText: 'eve' }).click();
      const eve = page.locator('details.student[data-student="eve"]');
      expect(await eve.locator('ul.leads li').count()).toBe(3);
      const link = eve.locator('ul.leads a', { hasText: 'ann' });
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

test('the report stays readable at 200 students and 35 checks, at 1300 px and at phone width', async () => {
  // A lab of 35 checks in 5 tasks (lab-04's manifest, its checks repeated), and 200 results made from one real one.
  const lab = loadLab(join(ROOT, 'labs/lab-04-drift-detector'), ROOT);
  const base = lab.checks;
  const checks = Array.from({ length: 35 }, (_, i) => ({ ...base[i % base.length], id: `check-${String(i + 1).padStart(2, '0')}`, task: `task-${Math.floor(i / 7) + 1}` }));
  const tasks = Array.from({ length: 5 }, (_, t) => ({ ...lab.manifest.tasks[0], id: `task-${t + 1}`, title: `Task ${t + 1}`, checks: checks.slice(t * 7, t * 7 + 7) }));
  const big = { ...lab, checks, manifest: { ...lab.manifest, tasks }, maxScore: checks.reduce((s, c) => s + c.points, 0) };
  const statuses = ['pass', 'pass', 'pass', 'fail', 'error', 'timeout', 'missing'] as const;
  const rows = Array.from({ length: 200 }, (_, i) => {
    const results = checks.map((c, j) => {
      const status = statuses[(i * 7 + j * 3 + (i % 5) * j) % statuses.length];
      return { id: c.id, task: c.task, title: c.test, test: c.test, status, points: status === 'pass' ? c.points : 0, maxPoints: c.points, visibility: c.visibility, durationMs: 5, ...(status === 'pass' ? {} : { message: `expected 0.42 to be close to 0.4 (student ${i})`, hint: 'Look at the bins.' }) };
    });
    const score = results.reduce((s, c) => s + c.points, 0);
    return {
      student: `student-with-a-long-name-${String(i + 1).padStart(3, '0')}`,
      results: {
        schemaVersion: 1 as const, lab: { id: lab.manifest.id, title: lab.manifest.title, version: 'v' }, submission: { source: 'x', sha256: `${i}`.padStart(64, 'a'), files: [] },
        status: score === big.maxScore ? ('pass' as const) : ('fail' as const), score, maxScore: big.maxScore,
        tasks: tasks.map((t) => ({ id: t.id, title: t.title, score: results.filter((c) => c.task === t.id).reduce((s, c) => s + c.points, 0), maxScore: t.checks.reduce((s, c) => s + c.points, 0) })),
        checks: results, problems: [], sandbox: { kind: 'docker' as const, exitCode: 0, timedOut: false, oomKilled: false, durationMs: 2000, limits: lab.manifest.limits }, output: '', runner: { version: 'test' }, startedAt: '2026-12-02T10:00:00Z', finishedAt: '2026-12-02T10:00:02Z',
      },
    };
  });
  const file = join(work, 'big.html');
  writeFileSync(file, reportHtml(big, rows));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    for (const [width, name] of [[1300, 'heatmap-wide.png'], [390, 'heatmap-phone.png']] as const) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(`file://${file}`);
      const box = await page.$eval('.hm-wrap', (el) => { const e = el as unknown as { scrollWidth: number; clientWidth: number; getBoundingClientRect(): { height: number } }; return { scroll: e.scrollWidth, client: e.clientWidth, height: e.getBoundingClientRect().height }; });
      const cell = await page.$eval('a.hm', (el) => { const r = (el as unknown as { getBoundingClientRect(): { width: number; height: number } }).getBoundingClientRect(); return { w: r.width, h: r.height }; });
      expect(await page.locator('.hm-row').count()).toBe(35);
      expect(await page.locator('.hm-row').first().locator('a.hm').count()).toBe(200);
      expect(cell.w).toBeGreaterThanOrEqual(4);
      expect(cell.h).toBeGreaterThanOrEqual(10);
      expect(box.height).toBeLessThan(600); // 35 rows fit in one screen's height
      if (width === 1300) expect(box.scroll).toBeLessThanOrEqual(box.client); // all 200 students in view, no scrolling
      // The page itself never scrolls sideways; the wide parts scroll inside their own boxes.
      expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(width + 1);
      // The name column stays in view with the student table scrolled right.
      await page.$eval('.scroll', (el) => ((el as unknown as { scrollLeft: number }).scrollLeft = 2000));
      const nameLeft = await page.$eval('#students tbody td:first-child', (td) => (td as unknown as { getBoundingClientRect(): { left: number } }).getBoundingClientRect().left);
      const boxLeft = await page.$eval('.scroll', (el) => (el as unknown as { getBoundingClientRect(): { left: number } }).getBoundingClientRect().left);
      expect(Math.abs(nameLeft - boxLeft)).toBeLessThan(3);
      await page.locator('#heatmap').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(process.env.AILAB_SCREENSHOTS ?? work, name) });
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
