// A vite plugin for graded runs: learner files may not import the test framework (vitest, chai,
// vite and their parts) or node:inspector. Checks and public tests import them as usual. This turns
// an attempt to reach into the framework into a clear error rather than a silent advantage.
import { relative } from 'node:path';
import picomatch from 'picomatch';

const FORBIDDEN = /^(?:vitest|@vitest\/[^/]+|chai|vite|tinyspy|vite-node|(?:node:)?inspector(?:\/promises)?)(?:$|\/)/;

/** The plugin; `editable` are the lab's learner-file globs, relative to `root`. */
export function importGuard(root, editable) {
  const isLearnerFile = picomatch(editable, { dot: false });
  return {
    name: 'ailab-import-guard',
    enforce: 'pre',
    resolveId(id, importer) {
      if (!importer || !FORBIDDEN.test(id)) return null;
      const from = relative(root, importer.split('?')[0]).split('\\').join('/');
      if (from.startsWith('..') || !isLearnerFile(from)) return null;
      this.error(`${from} imports "${id}": learner code may not import the test framework or the inspector. Remove the import; your code is graded by what it returns.`);
    },
  };
}
