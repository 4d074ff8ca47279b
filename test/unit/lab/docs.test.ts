import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { docsLocation, docsProblems, parseDocs } from '../../../runner/lab/docs.ts';
import { loadLab } from '../../../runner/lab/load.ts';
import { githubSlug, markdownAnchors, markdownHeadings } from '../../../runner/lab/markdown.ts';
import { listLabDirs } from '../../../runner/lab/resolve.ts';
import { verifyLab } from '../../../runner/lab/verify.ts';
import { LocalSandbox } from '../../../runner/sandbox/local.ts';
import { demoCourse, demoManifest, removeTree, writeTree } from '../../helpers/course.ts';

let root = '';
afterEach(() => removeTree(root));

const README = `# Demo lab

## Background

### Adding numbers

## Tasks

### Task 1: \`add(a, b)\`

#### Negative numbers
`;

/** The demo manifest with a docs: line after each check's hint (undefined leaves a check without one). */
function manifestWithDocs(first?: string, second?: string): string {
  let yaml = demoManifest();
  if (first !== undefined) yaml = yaml.replace('hint: "Use +."', `hint: "Use +."\n        docs: ${JSON.stringify(first)}`);
  if (second !== undefined) yaml = yaml.replace('hint: ["Negative numbers too.", "Still +."]', `hint: ["Negative numbers too.", "Still +."]\n        docs: ${JSON.stringify(second)}`);
  return yaml;
}

/** Writes the demo course with these lab files and returns docsProblems for its lab. */
function problems(files: Record<string, string>): string[] {
  root = writeTree(demoCourse(files));
  return docsProblems(loadLab(join(root, 'labs/lab-07-demo'), root), root);
}

describe('githubSlug and markdownHeadings', () => {
  test('slugs follow GitHub: lowercase, punctuation dropped, hyphens and underscores kept, spaces to hyphens', () => {
    expect(githubSlug('Task 2: Stable top-k')).toBe('task-2-stable-top-k');
    expect(githubSlug('Which test when (Evidently\'s defaults)')).toBe('which-test-when-evidentlys-defaults');
    expect(githubSlug('The lattice walk for n1 != n2')).toBe('the-lattice-walk-for-n1--n2');
    expect(githubSlug('snake_case & more?')).toBe('snake_case--more');
    expect(githubSlug('Café 3.14')).toBe('café-314');
  });

  test('a heading renders code spans, links, emphasis and tags as their text', () => {
    const md = [
      '## Task 1: `cosine(a, b)`',
      '## The `` `tick` `` case',
      '### [Zero](https://example.com/zero) *vectors* and __ties__',
      '#### <code>topK</code> stays `snake_case` ##',
      '## Say \\#1 &amp; more &#x41;',
    ].join('\n');
    expect(markdownHeadings(md).map((h) => [h.level, h.text])).toEqual([
      [2, 'Task 1: cosine(a, b)'],
      [2, 'The `tick` case'],
      [3, 'Zero vectors and ties'],
      [4, 'topK stays snake_case'],
      [2, 'Say #1 & more A'],
    ]);
    expect([...markdownAnchors(md)]).toEqual(['task-1-cosinea-b', 'the-tick-case', 'zero-vectors-and-ties', 'topk-stays-snake_case', 'say-1--more-a']);
  });

  test('a repeated heading gets -1, -2, … and never takes the slug of a later real heading', () => {
    const md = '## Bad input\n\n## Bad input\n\n## Bad input\n\n## Bad input 1\n';
    expect([...markdownAnchors(md)]).toEqual(['bad-input', 'bad-input-1', 'bad-input-2', 'bad-input-1-1']);
  });

  test('# lines inside fenced code blocks and HTML comments are not headings', () => {
    const md = [
      '# Title',
      '```sh',
      '# install it first',
      'npm install',
      '```',
      '~~~~',
      '# TYPE batcher_batch_size histogram',
      '```',
      '# still code: a ``` line does not close a ~~~~ fence',
      '~~~~',
      '<!--',
      '## Commented out',
      '-->',
      '## After the code',
      '#hashtag is a paragraph, and so is ####### seven',
    ].join('\n');
    expect(markdownHeadings(md).map((h) => h.text)).toEqual(['Title', 'After the code']);
  });

  test('setext headings count, a thematic break does not, and explicit <a id>/<a name> anchors are anchors', () => {
    const md = ['Setext one', '==========', '', 'Setext', 'two', '---', '', '---', '', '- a list item', '---', '', 'See <a id="custom-spot"></a> and <a name=\'old-name\'>here</a>, not `<a id="in-code">`.'].join('\n');
    expect(markdownHeadings(md).map((h) => [h.level, h.text, h.line])).toEqual([
      [1, 'Setext one', 1],
      [2, 'Setext\ntwo', 4],
    ]);
    expect([...markdownAnchors(md)]).toEqual(['setext-one', 'setexttwo', 'custom-spot', 'old-name']);
  });
});

describe('parseDocs and docsLocation', () => {
  test('a docs: value is an anchor in README.md, a path with or without an anchor, or a URL', () => {
    expect(parseDocs('#zero-vectors')).toEqual({ kind: 'file', path: 'README.md', anchor: 'zero-vectors' });
    expect(parseDocs('notes/extra.md#caf%C3%A9')).toEqual({ kind: 'file', path: 'notes/extra.md', anchor: 'café' });
    expect(parseDocs('../../docs/lab-format.md')).toEqual({ kind: 'file', path: '../../docs/lab-format.md', anchor: undefined });
    expect(parseDocs('https://example.com/guide#part')).toEqual({ kind: 'url', url: 'https://example.com/guide#part' });
  });

  test('docsLocation is what hint prints: a path from the course root, or the URL', () => {
    root = writeTree(demoCourse());
    const lab = loadLab(join(root, 'labs/lab-07-demo'), root);
    expect(docsLocation(lab, root)).toBe('labs/lab-07-demo/README.md');
    expect(docsLocation(lab, root, '#negative-numbers')).toBe('labs/lab-07-demo/README.md#negative-numbers');
    expect(docsLocation(lab, root, '../../docs/guide.md#adding')).toBe('docs/guide.md#adding');
    expect(docsLocation(lab, root, 'https://example.com/x')).toBe('https://example.com/x');
  });
});

describe('docsProblems', () => {
  test('a README.md with every anchor the checks name passes', () => {
    expect(problems({ 'labs/lab-07-demo/README.md': README, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('#task-1-adda-b', '#negative-numbers') })).toEqual([]);
  });

  test('a dangling anchor names the check, where it is in lab.yaml, and the closest heading', () => {
    expect(problems({ 'labs/lab-07-demo/README.md': README, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('#adding-numbers', '#negative-number') })).toEqual([
      'lab.yaml: tasks[0].checks[1].docs (add-negative): "#negative-number" is not a heading in README.md. Did you mean "#negative-numbers"?',
    ]);
    expect(problems({ 'labs/lab-07-demo/README.md': README, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('#subtraction') })).toEqual([
      'lab.yaml: tasks[0].checks[0].docs (add-small): "#subtraction" is not a heading in README.md',
    ]);
  });

  test('a missing README.md fails once, even with no docs: links, and its anchors are not reported again', () => {
    expect(problems({})).toEqual(['README.md is missing: every lab needs one (see docs/lab-format.md)']);
    expect(problems({ 'labs/lab-07-demo/lab.yaml': manifestWithDocs('#adding-numbers', '#negative-numbers') })).toEqual(['README.md is missing: every lab needs one (see docs/lab-format.md)']);
  });

  test('duplicate headings: the second one is reachable as -1, a third one does not exist', () => {
    const readme = '# Demo\n\n## Task 1\n\n### Bad input\n\n## Task 2\n\n### Bad input\n';
    expect(problems({ 'labs/lab-07-demo/README.md': readme, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('#bad-input', '#bad-input-1') })).toEqual([]);
    expect(problems({ 'labs/lab-07-demo/README.md': readme, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('#bad-input', '#bad-input-2') })).toEqual([
      'lab.yaml: tasks[0].checks[1].docs (add-negative): "#bad-input-2" is not a heading in README.md. Did you mean "#bad-input-1"?',
    ]);
  });

  test('a # line in a fenced code block is no anchor', () => {
    const readme = '# Demo\n\n```sh\n# Negative numbers\nnpm test\n```\n';
    expect(problems({ 'labs/lab-07-demo/README.md': readme, 'labs/lab-07-demo/lab.yaml': manifestWithDocs(undefined, '#negative-numbers') })).toEqual([
      'lab.yaml: tasks[0].checks[1].docs (add-negative): "#negative-numbers" is not a heading in README.md',
    ]);
  });

  test('paths relative to the lab folder are checked, URLs and non-Markdown anchors are not', () => {
    const files = {
      'labs/lab-07-demo/README.md': README,
      'labs/lab-07-demo/notes/extra.md': '# Extra\n\n## Carry the one\n',
      'docs/guide.md': '# Guide\n\n<a id="adding"></a>\nText.\n',
    };
    expect(problems({ ...files, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('notes/extra.md#carry-the-one', '../../docs/guide.md#adding') })).toEqual([]);
    expect(problems({ ...files, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('https://example.com/nowhere#missing', 'src/add.ts#L1') })).toEqual([]);
    expect(problems({ ...files, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('notes/extra.md#carry-the-on', '../../docs/missing.md#adding') })).toEqual([
      'lab.yaml: tasks[0].checks[0].docs (add-small): "notes/extra.md#carry-the-on" is not a heading in notes/extra.md. Did you mean "notes/extra.md#carry-the-one"?',
      'lab.yaml: tasks[0].checks[1].docs (add-negative): "../../docs/missing.md#adding" names docs/missing.md, which does not exist',
    ]);
  });

  test('a path outside the course, an absolute path, an empty anchor and a forgotten # are problems', () => {
    const readme = { 'labs/lab-07-demo/README.md': README };
    expect(problems({ ...readme, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('../../../elsewhere.md', '/etc/hosts') })).toEqual([
      'lab.yaml: tasks[0].checks[0].docs (add-small): "../../../elsewhere.md" points outside the course',
      'lab.yaml: tasks[0].checks[1].docs (add-negative): "/etc/hosts" is an absolute path: use #anchor, a path relative to the lab folder, or a URL',
    ]);
    expect(problems({ ...readme, 'labs/lab-07-demo/lab.yaml': manifestWithDocs('#', 'negative-numbers') })).toEqual([
      'lab.yaml: tasks[0].checks[0].docs (add-small): "#" has an empty anchor after #',
      'lab.yaml: tasks[0].checks[1].docs (add-negative): "negative-numbers" names negative-numbers, which does not exist. Did you mean "#negative-numbers"?',
    ]);
  });

  test('loadLab stays lenient: a lab without README.md or with a dangling anchor still loads', () => {
    root = writeTree(demoCourse({ 'labs/lab-07-demo/lab.yaml': manifestWithDocs('#nowhere') }));
    expect(loadLab(join(root, 'labs/lab-07-demo'), root).checks[0].docs).toBe('#nowhere');
  });
});

describe('verifyLab', () => {
  test('its first proof fails on a missing README.md, with the other proofs still reported', async () => {
    const files = demoCourse();
    delete files['labs/lab-07-demo/solution/src/add.ts']; // no solution/: verify stops before it would run anything
    root = writeTree(files);
    const lab = loadLab(join(root, 'labs/lab-07-demo'), root);
    const report = await verifyLab(lab, root, new LocalSandbox(), { slots: 1 });
    expect(report.ok).toBe(false);
    expect(report.proofs.map((p) => [p.name, p.ok])).toEqual([
      ['README.md and docs: anchors', false],
      ['files', false],
    ]);
    expect(report.proofs[0].detail).toEqual(['README.md is missing: every lab needs one (see docs/lab-format.md)']);
  });
});

describe('the course labs', () => {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  const labs = listLabDirs(repo);

  test('there are labs to check', () => {
    expect(labs).toContain('lab-00-warmup');
  });

  test.each(labs)('%s has a README.md with every docs: anchor of its lab.yaml', (name) => {
    const lab = loadLab(join(repo, 'labs', name), repo);
    expect(docsProblems(lab, repo)).toEqual([]);
    expect(lab.checks.some((c) => c.docs !== undefined)).toBe(true);
  });
});
