// The type check's worker thread (see types.ts): TypeScript over the lab's sources, with the
// submission's editable files served from memory in place of the course's, so nothing is written.
// It posts back the errors in those files only: never one in a file the learner can't see.
const { parentPort, workerData: job } = require('node:worker_threads');
const path = require('node:path');
const ts = require(require.resolve('typescript', { paths: [job.root] }));

const overlay = new Map(Object.entries(job.files).map(([rel, text]) => [path.join(job.labDir, rel), text]));
const options = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
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
const getSourceFile = host.getSourceFile.bind(host);
host.readFile = (f) => overlay.get(path.resolve(f)) ?? readFile(f);
host.fileExists = (f) => overlay.has(path.resolve(f)) || fileExists(f);
host.getSourceFile = (f, version, onError) => {
  const text = overlay.get(path.resolve(f));
  return text !== undefined ? ts.createSourceFile(f, text, version) : getSourceFile(f, version, onError);
};
const program = ts.createProgram([...overlay.keys()], options, host);
const found = [];
for (const d of ts.getPreEmitDiagnostics(program)) {
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
parentPort.postMessage(found);
