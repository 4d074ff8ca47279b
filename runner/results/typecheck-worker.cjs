// The type check's worker thread (see types.ts): TypeScript over the lab's sources, with the
// submission's editable files served from memory in place of the course's, so nothing is written.
// It posts back the errors in those files only: never one in a file the learner can't see.
// One worker can check job after job (watch keeps it): the files it parsed stay parsed, each
// while its modification time is unchanged, and the last program is reused where it still holds.
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const ts = require(require.resolve('typescript', { paths: [workerData.root] }));

/** Parsed course and library files, by name: the compiler's most costly work, done once. */
const parsed = new Map();
/** The last program of each kind, for TypeScript to reuse what still holds. */
const oldPrograms = new Map();
/** Lab folders whose code needs Node's types: their jobs skip the quick pass. */
const needsNode = new Set();

/**
 * The type errors in one job's editable files. Node's types (@types/node) cost most of a check, so
 * a quick pass goes without them first: a program with no error at all without them has none with
 * them (any use of Node's names or modules would be an error without them). Otherwise, the full
 * check with them decides.
 */
function check(job) {
  if (!needsNode.has(job.labDir)) {
    const quick = diagnose(job, []);
    if (quick.all === 0) return [];
    needsNode.add(job.labDir);
  }
  return diagnose(job, ['node']).found;
}

/** Every diagnostic's count, and the first `job.max` in the editable files, with `types` as the ambient type packages. */
function diagnose(job, types) {
  const overlay = new Map(Object.entries(job.files).map(([rel, text]) => [path.join(job.labDir, rel), text]));
  const options = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types,
    typeRoots: [path.join(job.root, 'node_modules/@types')],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    esModuleInterop: true,
    skipLibCheck: true,
    isolatedModules: true,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => overlay.get(path.resolve(f)) ?? readFile(f);
  host.fileExists = (f) => overlay.has(path.resolve(f)) || fileExists(f);
  host.getSourceFile = (f, version, onError) => {
    const text = overlay.get(path.resolve(f));
    if (text !== undefined) return ts.createSourceFile(f, text, version);
    let mtime;
    try {
      mtime = fs.statSync(f).mtimeMs;
    } catch {
      return undefined;
    }
    const key = `${f}\0${JSON.stringify(version)}`;
    const hit = parsed.get(key);
    if (hit && hit.mtime === mtime) return hit.file;
    const content = readFile(f);
    if (content === undefined) {
      onError?.(`cannot read ${f}`);
      return undefined;
    }
    const file = ts.createSourceFile(f, content, version);
    parsed.set(key, { mtime, file });
    return file;
  };
  const program = ts.createProgram({ rootNames: [...overlay.keys()], options, host, oldProgram: oldPrograms.get(types.join()) });
  oldPrograms.set(types.join(), program);
  const found = [];
  const all = ts.getPreEmitDiagnostics(program);
  for (const d of all) {
    if (found.length >= job.max) break;
    if (!d.file || d.start === undefined || !overlay.has(path.resolve(d.file.fileName))) continue;
    const at = d.file.getLineAndCharacterOfPosition(d.start);
    found.push({
      file: path.relative(job.labDir, path.resolve(d.file.fileName)).split(path.sep).join('/'),
      line: at.line + 1,
      column: at.character + 1,
      message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    });
  }
  return { all: all.length, found };
}

parentPort.on('message', (job) => parentPort.postMessage(check(job)));
