import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SubmissionError } from '../../../runner/core/errors.ts';
import { extractTarGz, extractZip } from '../../../runner/grade/extract.ts';
import { ROOT } from '../../helpers/cli.ts';

const HOSTILE = join(ROOT, 'fixtures/classes/lab-00-hostile');
const expected: Record<string, string> = JSON.parse(readFileSync(join(HOSTILE, 'expected.json'), 'utf8'));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh folder with an empty `dest` inside, so anything written next to dest shows up. */
function sandboxDir(): { outer: string; dest: string } {
  const outer = mkdtempSync(join(tmpdir(), 'ailab-extract-'));
  dirs.push(outer);
  const dest = join(outer, 'a', 'b', 'dest');
  return { outer, dest };
}

const extract = (file: string, dest: string) => (file.endsWith('.zip') ? extractZip(file, dest) : extractTarGz(file, dest));

describe('archive extraction', () => {
  test('a well-formed zip and tar.gz unpack', async () => {
    for (const file of ['erin.zip', 'frank.tar.gz']) {
      const { dest } = sandboxDir();
      await extract(join(ROOT, 'fixtures/classes/lab-00', file), dest);
      expect(readdirSync(dest).length).toBeGreaterThan(0);
    }
  });

  test.each(Object.entries(expected))('%s is refused: %s', async (file, reason) => {
    const { outer, dest } = sandboxDir();
    const started = Date.now();
    const error = await extract(join(HOSTILE, file), dest).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SubmissionError);
    expect((error as Error).message).toContain(reason);
    // Well under the test's limit, with room for a loaded machine (5 s failed there while the e2e tests ran): the cap's message above is what proves the stop.
    expect(Date.now() - started, 'refused quickly').toBeLessThan(15_000);
    // nothing landed outside dest, whatever the entry names said
    const outside = readdirSync(outer, { recursive: true }).map(String).filter((p) => !`${join(outer, p)}/`.startsWith(`${dest}/`) && !`${dest}/`.startsWith(`${join(outer, p)}/`));
    expect(outside).toEqual([]);
    expect(existsSync('/tmp/evil.ts')).toBe(false);
  });
});
