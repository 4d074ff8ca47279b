import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadLab } from '../../../runner/lab/load.ts';
import { collectSubmission, SUBMISSION_LIMITS } from '../../../runner/submission/collect.ts';
import { demoCourse, removeTree, writeTree } from '../../helpers/course.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach(removeTree));
function lab(files = '["src/add.ts"]') {
  const course = demoCourse();
  course['labs/lab-07-demo/lab.yaml'] = course['labs/lab-07-demo/lab.yaml'].replace('files: ["src/add.ts"]', `files: ${files}`);
  const root = writeTree(course);
  roots.push(root);
  return loadLab(join(root, 'labs/lab-07-demo'), root);
}
function sub(files: Record<string, string>) {
  const dir = writeTree(files);
  roots.push(dir);
  return dir;
}

describe('collectSubmission', () => {
  test('stops reading once the editable files pass the total cap', () => {
    const mb = 'x'.repeat(1024 * 1024 - 10);
    const dir = sub(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`src/f${String(i).padStart(2, '0')}.ts`, mb])));
    const s = collectSubmission(lab('["src/*.ts"]'), dir);
    expect(s.problems).toEqual([`the editable files add up to more than ${SUBMISSION_LIMITS.totalBytes / 1024 / 1024} MB, the cap.`]);
    expect(s.files.size).toBe(9); // 8 MB fit in 8 files; the 9th crosses the cap, and nothing after it is read
  });

  test('takes only the editable files', () => {
    const dir = sub({ 'src/add.ts': 'export const add = 1;', 'tests/add.test.ts': 'hacked', 'vitest.config.ts': 'hacked' });
    const s = collectSubmission(lab(), dir);
    expect([...s.files.keys()]).toEqual(['src/add.ts']);
    expect(s.problems).toEqual([]);
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('accepts a copy of the whole repo', () => {
    const dir = sub({ 'labs/lab-07-demo/src/add.ts': 'export const add = 2;' });
    expect(collectSubmission(lab(), dir).files.get('src/add.ts')?.toString()).toBe('export const add = 2;');
  });

  test('ignores node_modules shipped in the submission', () => {
    const dir = sub({ 'src/add.ts': 'x', 'node_modules/vitest/index.js': 'fake vitest' });
    expect([...collectSubmission(lab(), dir).files.keys()]).toEqual(['src/add.ts']);
  });

  test('a missing editable file is a problem', () => {
    expect(collectSubmission(lab(), sub({ 'README.md': 'hi' })).problems).toEqual(['src/add.ts is missing.']);
  });

  test('a symlink is rejected', () => {
    const dir = sub({ 'README.md': 'hi' });
    symlinkSync('/etc/passwd', join(dir, 'src-link'));
    writeTree({ 'src/.keep': '' }, dir);
    symlinkSync('/etc/passwd', join(dir, 'src/add.ts'));
    expect(collectSubmission(lab(), dir).problems).toEqual(['src/add.ts is a symbolic link; submit the file itself.']);
  });

  test('an oversized file is rejected', () => {
    const dir = sub({ 'src/.keep': '' });
    writeFileSync(join(dir, 'src/add.ts'), Buffer.alloc(SUBMISSION_LIMITS.fileBytes + 1, 32));
    expect(collectSubmission(lab(), dir).problems[0]).toMatch(/^src\/add\.ts is 1\.0 MB; each file may be at most 1 MB\.$/);
  });

  test('a symlinked lab folder in a repo copy is rejected, never followed to what it points at', () => {
    const l = lab();
    const dir = sub({ 'README.md': 'hi' });
    mkdirSync(join(dir, 'labs'));
    symlinkSync(join(l.dir, 'solution'), join(dir, 'labs/lab-07-demo')); // the course's own solution
    const s = collectSubmission(l, dir);
    expect(s.problems).toEqual(['labs/lab-07-demo is a symbolic link; submit the folder itself.']);
    expect(s.files.size).toBe(0);
  });

  test('a symlinked folder on the way to an editable file is named as the problem', () => {
    const l = lab();
    const dir = sub({ 'README.md': 'hi' });
    symlinkSync(join(l.dir, 'solution/src'), join(dir, 'src'));
    expect(collectSubmission(l, dir).problems).toContain('src is a symbolic link; submit the folder itself.');
  });

  test('a name that is not valid UTF-8 is a problem, not a crash', () => {
    const dir = sub({ 'src/add.ts': 'export const add = 1;' });
    const bad = Buffer.concat([Buffer.from(`${dir}/src/`), Buffer.from([0xff, 0xfe])]);
    mkdirSync(bad);
    writeFileSync(Buffer.concat([bad, Buffer.from('/x.ts')]), 'x');
    expect(collectSubmission(lab(), dir).problems).toEqual(['the name of src/\uFFFD\uFFFD is not valid UTF-8 (shown with \uFFFD); rename it or remove it.']);
  });

  test('a FIFO in place of an editable file is rejected without blocking on it', () => {
    const dir = sub({ 'src/.keep': '' });
    execFileSync('mkfifo', [join(dir, 'src/add.ts')]);
    expect(collectSubmission(lab(), dir).problems).toEqual(['src/add.ts is not a regular file.']);
  });

  test('a folder with more entries than the walk cap stops early with one problem', () => {
    const dir = sub({ 'src/add.ts': 'x' });
    mkdirSync(join(dir, 'junk'));
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, 'junk', String(i)), '');
    const cap = SUBMISSION_LIMITS.walkEntries;
    SUBMISSION_LIMITS.walkEntries = 100;
    try {
      expect(collectSubmission(lab(), dir).problems.filter((p) => p.includes('entries'))).toEqual(['the submission holds more than 100 entries; remove build output and dependencies.']);
    } finally {
      SUBMISSION_LIMITS.walkEntries = cap;
    }
  });

  test('the same files give the same hash', () => {
    const l = lab();
    const a = collectSubmission(l, sub({ 'src/add.ts': 'same' }));
    const b = collectSubmission(l, sub({ 'src/add.ts': 'same', 'notes.txt': 'other' }));
    expect(a.sha256).toBe(b.sha256);
  });

  describe('with byName, for uploads that keep only file names', () => {
    const twoUtils = () => {
      const course = demoCourse();
      course['labs/lab-07-demo/lab.yaml'] = course['labs/lab-07-demo/lab.yaml'].replace('files: ["src/add.ts"]', 'files: ["src/**/*.ts"]');
      course['labs/lab-07-demo/src/a/util.ts'] = 'export {};\n';
      course['labs/lab-07-demo/src/b/util.ts'] = 'export {};\n';
      const root = writeTree(course);
      roots.push(root);
      return loadLab(join(root, 'labs/lab-07-demo'), root);
    };

    test('a file at the top stands for the starter file of that name', () => {
      const dir = sub({ 'add.ts': 'flat' });
      expect(collectSubmission(lab(), dir).problems).toEqual(['src/add.ts is missing.']);
      const s = collectSubmission(lab(), dir, dir, { byName: true });
      expect(s.problems).toEqual([]);
      expect([...s.files]).toEqual([['src/add.ts', Buffer.from('flat')]]);
      expect(s.sha256).toBe(collectSubmission(lab(), sub({ 'src/add.ts': 'flat' })).sha256);
    });

    test('the file at its own path wins over one of the same name at the top', () => {
      const s = collectSubmission(lab(), sub({ 'add.ts': 'flat', 'src/add.ts': 'kept' }), undefined, { byName: true });
      expect([...s.files]).toEqual([['src/add.ts', Buffer.from('kept')]]);
    });

    test('a name that two starter files share stands for neither', () => {
      const s = collectSubmission(twoUtils(), sub({ 'util.ts': 'which?', 'add.ts': 'flat' }), undefined, { byName: true });
      expect([...s.files.keys()]).toEqual(['src/add.ts']);
    });

    test('a symlink at the top is rejected, not followed', () => {
      const dir = sub({});
      symlinkSync('/etc/passwd', join(dir, 'add.ts'));
      const s = collectSubmission(lab(), dir, dir, { byName: true });
      expect(s.files.size).toBe(0);
      expect(s.problems).toEqual(['src/add.ts is a symbolic link; submit the file itself.']);
    });
  });
});
