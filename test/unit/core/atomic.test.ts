import { readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writeFileAtomic, writeFilesAtomic } from '../../../runner/core/atomic.ts';
import { removeTree, writeTree } from '../../helpers/course.ts';
import { canMount, mountTmpfs, unmountUnder } from '../../helpers/mounts.ts';

const dir = writeTree({});
afterAll(() => {
  unmountUnder(dir);
  removeTree(dir);
});

describe('atomic writes', () => {
  test('a write replaces the whole file and leaves no temp file', () => {
    const path = join(dir, 'a.txt');
    writeFileAtomic(path, 'old');
    writeFileAtomic(path, Buffer.from('new content'));
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  test('a write that cannot even start leaves nothing behind', () => {
    expect(() => writeFileAtomic(join(dir, 'missing', 'a.txt'), 'x')).toThrow(/ENOENT/);
  });

  // A tmpfs is a disk that really fills up; mounting one needs root (CI runs tests as root).
  describe.skipIf(!canMount)('on a full disk (a real tmpfs)', () => {
    const full = join(dir, 'full');
    const fill = (leave: number) => {
      const { bavail, bsize } = statfsSync(full);
      writeFileSync(join(full, 'filler'), Buffer.alloc(bavail * bsize - leave));
    };

    test('ENOSPC after a short write: the old file stays whole and the temp file is removed', () => {
      mountTmpfs(full, 256 * 1024);
      writeFileAtomic(join(full, 'grades.csv'), 'previous\r\n');
      fill(4096); // one page left: the first write(2) comes up short, the next fails
      expect(() => writeFileAtomic(join(full, 'grades.csv'), 'x'.repeat(20_000))).toThrow(/ENOSPC/);
      expect(readFileSync(join(full, 'grades.csv'), 'utf8')).toBe('previous\r\n');
      expect(readdirSync(full).sort()).toEqual(['filler', 'grades.csv']);
    });

    test('several files as one change: when one does not fit, none is replaced and no temp file is left', () => {
      rmSync(join(full, 'filler'));
      fill(2 * 4096);
      writeFileAtomic(join(full, 'grades.json'), '{"previous":true}\n'); // one page left: the new grades.csv fits, grades.json does not
      expect(() =>
        writeFilesAtomic([
          [join(full, 'grades.csv'), 'new\r\n'],
          [join(full, 'grades.json'), 'y'.repeat(20_000)],
        ]),
      ).toThrow(/ENOSPC/);
      expect(readFileSync(join(full, 'grades.csv'), 'utf8')).toBe('previous\r\n');
      expect(readFileSync(join(full, 'grades.json'), 'utf8')).toBe('{"previous":true}\n');
      expect(readdirSync(full).sort()).toEqual(['filler', 'grades.csv', 'grades.json']);
    });
  });
});
