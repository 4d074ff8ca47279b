// Issue #15: a learner's ordinary mistakes get one clear message, through the real CLI.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { ResultsSchema } from '../../runner/results/schema.ts';
import { ailab, ROOT } from '../helpers/cli.ts';
import { writeMutantSubmission } from '../helpers/course.ts';

const work = mkdtempSync(join(tmpdir(), 'ailab-mistakes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The solution of lab-00 with one `)` dropped, as a learner's typo would leave it. */
function droppedParen(): string {
  const dir = join(work, 'dropped-paren');
  cpSync(join(ROOT, 'labs/lab-00-warmup/solution'), dir, { recursive: true });
  const file = join(dir, 'src/similarity.ts');
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('Math.sqrt(na)');
  expect(at).toBeGreaterThan(0);
  writeFileSync(file, text.replace('Math.sqrt(na)', 'Math.sqrt(na'));
  return dir;
}

describe('a syntax error', () => {
  test.each(['docker', 'local'])('gets one compile-error block with file, line, column and a caret, and no per-check hints (%s)', async (sandbox) => {
    const dir = droppedParen();
    const run = await ailab(['check', 'lab-00', '--submission', dir, '--sandbox', sandbox]);
    expect(run.exitCode, run.stderr).toBe(1);
    const out = run.stdout;
    expect(out).not.toMatch(/\u001b/); // piped: no colour codes, not even half of one
    const line = readFileSync(join(dir, 'src/similarity.ts'), 'utf8').split('\n').findIndex((l) => l.includes('Math.sqrt(na')) + 1;
    expect(out).toContain('✗ src/similarity.ts does not compile');
    expect(out).toMatch(new RegExp(`src/similarity\\.ts:\\d+:\\d+  TS\\d+: `));
    expect(out).toMatch(new RegExp(`> +\\d+ \\| .*\\n +\\| +\\^`)); // the code frame marks the line, the caret the column
    expect(out).toContain(`${line} |`);
    expect(out).toContain('11 checks could not run because src/similarity.ts does not compile.');
    expect(out.match(/does not compile/g)?.length).toBe(2); // the block's title and its last line, nothing per check
    expect(out).not.toContain('hint:');
    expect(out.split('\n').length).toBeLessThan(45);
    expect(out.trimEnd().split('\n').at(-1)).toBe('Score: 0/100 (0%)');

    const json = await ailab(['check', 'lab-00', '--submission', dir, '--sandbox', sandbox, '--json']);
    const results = ResultsSchema.parse(JSON.parse(json.stdout));
    expect(results.compile).toHaveLength(1);
    expect(results.compile![0]).toMatchObject({ file: 'src/similarity.ts' });
    expect(results.checks.every((c) => c.status === 'error' && c.hint === undefined && c.message?.includes('could not run'))).toBe(true);
  });
});

describe('failure messages', () => {
  test('name only places in the learner\'s own files, never a hidden check\'s path, and carry no framework noise', async () => {
    const partial = await ailab(['check', 'lab-00', '--submission', join(ROOT, 'fixtures/submissions/lab-00/fail/partial'), '--sandbox', 'local', '--json']);
    const failed = ResultsSchema.parse(JSON.parse(partial.stdout)).checks.filter((c) => c.status !== 'pass');
    expect(failed.map((c) => c.id).sort()).toEqual(['topk-nonpositive-k', 'topk-ties']);
    for (const check of failed) {
      expect(check.message, check.id).not.toMatch(/checks\/|tests\/|\.ailab\//);
      expect(check.message, check.id).not.toContain('Object.is equality');
    }
    // The starter throws from the learner's file: that location is theirs, so it is shown.
    const starter = await ailab(['check', 'lab-00', '--sandbox', 'local', '--json']);
    const checks = ResultsSchema.parse(JSON.parse(starter.stdout)).checks;
    expect(checks.find((c) => c.id === 'cosine-identical')?.message).toMatch(/at src\/similarity\.ts:\d+:\d+/);
  });
});

describe('a hang', () => {
  test('costs its own check only, which is named with its limit and run again alone, and the progress line keeps moving in a terminal', async () => {
    const name = `ailab-hang-${process.pid}`;
    const fixture = join(ROOT, 'fixtures/submissions/lab-00/timeout/one-check-hangs');
    const cmd = `cd ${ROOT} && env -u CI -u NO_COLOR -u FORCE_COLOR TERM=xterm-256color ${process.execPath} runner/bin/ailab.mjs check lab-00 --submission ${fixture} --sandbox local; echo EXIT=$?; sleep 600`;
    await execa('tmux', ['kill-session', '-t', name], { reject: false });
    await execa('tmux', ['new-session', '-d', '-s', name, '-x', '200', '-y', '60', cmd]);
    const screen = async () => (await execa('tmux', ['capture-pane', '-p', '-t', name])).stdout;
    try {
      // While the hung check waits out its 5 s, the line shows the time going on and the checks done so far.
      const seen = new Set<string>();
      let rerunShown = false;
      let final = '';
      for (let i = 0; i < 600; i++) {
        const text = await screen();
        if (/EXIT=\d+/.test(text)) {
          final = text;
          break;
        }
        const live = /(\d+\.\d)s running 11 checks of lab-00 in the local sandbox… (\d+)\/11 done/.exec(text);
        if (live) seen.add(`${live[1]}|${live[2]}`);
        rerunShown ||= /\d+\.\ds running topk-brute-force again, alone: it hit the per-check limit of 5 s…/.test(text);
        await new Promise((r) => setTimeout(r, 100));
      }
      const times = new Set([...seen].map((s) => s.split('|')[0]));
      const counts = [...seen].map((s) => Number(s.split('|')[1]));
      expect(times.size, `progress lines seen: ${[...seen].join(', ')}`).toBeGreaterThanOrEqual(3);
      expect(Math.max(...counts), 'checks reported while the run went on').toBeGreaterThan(0);
      expect(final).toContain('EXIT=1');
      expect(final).toMatch(/topk-brute-force .* timeout/);
      expect(final).toContain('This check took longer than the per-test limit of 5 s (limits.test_timeout_s).');
      // It hung again when it ran alone, which the line said while it did.
      expect(rerunShown, 'the progress line named the check running again').toBe(true);
      expect(final).toContain('It hit the limit twice: in the full run and again when run alone.');
      expect(final).toMatch(/Score: 90\/100/);
    } finally {
      await execa('tmux', ['kill-session', '-t', name], { reject: false });
    }
  }, 120_000);
});

describe('a type error', () => {
  test('is shown first, with its code frame, costs no points by itself, and a string where a number is due says so', async () => {
    const dir = join(work, 'string-statistic');
    cpSync(join(ROOT, 'labs/lab-04-drift-detector/solution'), dir, { recursive: true });
    const file = join(dir, 'src/ks.ts');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("return { statistic, pvalue: Math.min(1, Math.max(0, p)), method: 'asymp' };");
    writeFileSync(file, text.replace("return { statistic, pvalue: Math.min(1, Math.max(0, p)), method: 'asymp' };", "const kind: 'exact' | 'asymp' = 'exakt';\n  return { statistic: String(statistic), pvalue: Math.min(1, Math.max(0, p)), method: kind };"));
    const json = await ailab(['check', 'lab-04', '--submission', dir, '--sandbox', 'local', '--json']);
    const results = ResultsSchema.parse(JSON.parse(json.stdout));
    const typeErrors = results.typeErrors ?? [];
    const listed = typeErrors.map((e) => `${e.file}:${e.line} ${e.message}`).join('\n');
    expect(listed).toMatch(/src\/ks\.ts:\d+ TS2820: Type '"exakt"' is not assignable to type '"exact" \| "asymp"'\. Did you mean '"exact"'\?/);
    expect(listed).toMatch(/src\/ks\.ts:\d+ TS2322: Type 'string' is not assignable to type 'number'/);
    expect(typeErrors[0].frame).toContain('^');
    // The failing checks fail on their own merits; the type error is a warning next to them.
    const asymp = results.checks.find((c) => c.id === 'ks-asymp');
    expect(asymp?.status).toBe('fail');
    expect(asymp?.message).toMatch(/got "[0-9.]+" \(string\), expected the finite number/);
    const text2 = await ailab(['check', 'lab-04', '--submission', dir, '--sandbox', 'local']);
    const shown = text2.stdout;
    expect(shown.indexOf('type errors in src/ks.ts')).toBeGreaterThan(-1);
    expect(shown.indexOf('type errors in src/ks.ts')).toBeLessThan(shown.indexOf('ks-asymp'));
  }, 120_000);
});

describe('hints', () => {
  test('follow the way a check failed: a text sort gets the sorting hint, a wrong p-value with D right gets the p-value hint', async () => {
    const textSort = join(work, 'text-sort');
    cpSync(join(ROOT, 'labs/lab-04-drift-detector/solution'), textSort, { recursive: true });
    const ks = join(textSort, 'src/ks.ts');
    const source = readFileSync(ks, 'utf8');
    expect(source).toContain('const x = Float64Array.from(a).sort();');
    writeFileSync(ks, source.replace('const x = Float64Array.from(a).sort();', 'const x = Float64Array.from([...a].sort());').replace('const y = Float64Array.from(b).sort();', 'const y = Float64Array.from([...b].sort());'));
    const sorted = ResultsSchema.parse(JSON.parse((await ailab(['check', 'lab-04', '--submission', textSort, '--sandbox', 'local', '--json'])).stdout));
    const straddle = sorted.checks.find((c) => c.id === 'ks-straddle')!;
    expect(straddle.message).toContain('D: got 0.32, expected 0.19');
    expect(straddle.message).not.toContain('[hint:');
    expect(straddle.hint).toContain('[...a].sort() compares numbers as strings');

    const pvalue = join(work, 'wrong-n');
    writeMutantSubmission(join(ROOT, 'labs/lab-04-drift-detector'), 'ks-asymp-wrong-n', pvalue);
    const wrongP = ResultsSchema.parse(JSON.parse((await ailab(['check', 'lab-04', '--submission', pvalue, '--sandbox', 'local', '--json'])).stdout));
    const asymp = wrongP.checks.find((c) => c.id === 'ks-asymp')!;
    expect(asymp.message).toContain('p-value (scipy used asymp)');
    expect(asymp.hint).toContain('D is right here, so the asymptotic p is off');
    expect(wrongP.problems).toEqual([]);
  }, 120_000);
});
