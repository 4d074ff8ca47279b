import { describe, expect, test } from 'vitest';
import { demoResults } from '../../helpers/results.ts';
import { renderJunit, xmlEscape } from '../../../runner/report/junit.ts';
import { renderTerminal } from '../../../runner/report/terminal.ts';
import pc from 'picocolors';

const results = demoResults('expected -1 to be -3 <&>');

describe('terminal report', () => {
  test('plain output: a table per task, the failing check with message and hint, hidden totals, the score last', () => {
    expect(renderTerminal(results, pc.createColors(false))).toMatchInlineSnapshot(`
      "lab-07  Demo lab
      sandbox: docker (ailab-sandbox:abc), 1.2 s

      Addition  5/10
        ✓ add-small     adds small numbers            5/5
        ✗ add-negative  adds negative numbers hidden  0/5  fail
            expected -1 to be -3 <&>
            hint: Negative numbers too.

      Hidden checks: 1 (5 points), 0 passed (0 points).

      Score: 5/10 (50%)
      "
    `);
  });

  test('without colours there are no escape codes', () => {
    expect(renderTerminal(results, pc.createColors(false))).not.toMatch(/\u001b\[/);
  });

  test('off a terminal nothing is cut; on one of known width titles are cut and messages wrapped, never cut', () => {
    const title = 'a very long check title that goes on and on well past any sensible column of a narrow terminal';
    const advice = 'The whole run hit the time limit before this check finished: look for an infinite loop or a promise that never settles, then run again.';
    const long = demoResults(advice);
    long.checks = long.checks.map((k) => ({ ...k, title }));
    const piped = renderTerminal(long, pc.createColors(false));
    expect(piped).toContain(title);
    expect(piped).toContain(advice);
    expect(piped).not.toContain('…');
    const narrow = renderTerminal(long, pc.createColors(false), 80);
    for (const line of narrow.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(narrow).toContain('…'); // the title, cut to the terminal
    const words = narrow.split('\n').filter((l) => l.startsWith('      ') && !l.includes('hint:')).join(' ').split(/\s+/).filter(Boolean).join(' ');
    expect(words).toContain(advice); // the advice, wrapped over lines but whole
  });
});

describe('junit report', () => {
  test('one testcase per check, failures carry message and hint, XML is escaped', () => {
    const xml = renderJunit(results);
    expect(xml).toContain('<testsuites name="lab-07" tests="2" failures="1" errors="0" time="1.234">');
    expect(xml).toContain('<testcase classname="lab-07.add" name="add-small: adds small numbers" time="0.002"/>');
    expect(xml).toContain('<failure message="fail (0/5 points)" type="fail">expected -1 to be -3 &lt;&amp;&gt;\nhint: Negative numbers too.</failure>');
  });

  test('drops characters XML cannot hold', () => {
    expect(xmlEscape('a\u0000b\u001bc"')).toBe('abc&quot;');
  });
});
