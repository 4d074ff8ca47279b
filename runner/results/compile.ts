import type { CheckResult, CompileError, Results } from './schema.ts';

/** Files TypeScript's parser can read, by extension. */
const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

/** The lines around `line` (1-based) with a caret under `column` (1-based), as editors and tsc show them. */
export function codeFrame(text: string, line: number, column: number, context = 2): string {
  const lines = text.split(/\r?\n/);
  const first = Math.max(1, line - context);
  const last = Math.min(lines.length, line + 1);
  const gutter = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(gutter)} | ${lines[n - 1]}`.trimEnd());
    if (n === line) out.push(`  ${' '.repeat(gutter)} | ${lines[n - 1].slice(0, column - 1).replace(/[^\t]/g, ' ')}^`);
  }
  return out.join('\n');
}

/**
 * The syntax errors in a submission's source files, found by TypeScript's own parser (only the
 * first one of each file: the rest usually follow from it). Loaded only when a test file could
 * not load, so a run whose files compile never pays for it.
 */
export async function syntaxErrors(files: Map<string, Buffer>): Promise<CompileError[]> {
  const ts = (await import('typescript')).default;
  const found: CompileError[] = [];
  for (const [file, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (!SOURCE.test(file)) continue;
    const text = content.toString('utf8');
    const out = ts.transpileModule(text, { fileName: file, reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext } });
    const first = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error && d.file && d.start !== undefined);
    if (!first) continue;
    const at = first.file!.getLineAndCharacterOfPosition(first.start!);
    const line = at.line + 1;
    const column = at.character + 1;
    found.push({ file, line, column, message: `TS${first.code}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}`, frame: codeFrame(text, line, column) });
  }
  return found;
}

/** "src/a.ts does not compile", or "src/a.ts, src/b.ts do not compile": the files the errors are in. */
export function notCompiling(errors: CompileError[]): string {
  const files = [...new Set(errors.map((e) => e.file))];
  return `${files.join(', ')} ${files.length > 1 ? 'do' : 'does'} not compile`;
}

/** The message every check gets when the submission does not compile: short, because the block above says it all. */
export function notCompiledMessage(errors: CompileError[]): string {
  return `This check could not run: ${notCompiling(errors)} (see the error above).`;
}

/** True when the check only failed because the submission does not compile. */
export function failedToCompile(results: Results, check: CheckResult): boolean {
  return Boolean(results.compile?.length) && check.message === notCompiledMessage(results.compile!);
}

/** The compile-error block, plain text: each error with its location and code frame, then what it cost. */
export function renderCompileErrors(results: Results): string[] {
  const errors = results.compile ?? [];
  if (errors.length === 0) return [];
  const out: string[] = [];
  for (const e of errors) {
    out.push(`${e.file}:${e.line}:${e.column}  ${e.message}`);
    for (const line of e.frame.split('\n')) out.push(`  ${line}`);
    out.push('');
  }
  const blocked = results.checks.filter((k) => failedToCompile(results, k)).length;
  out.push(`${blocked} check${blocked === 1 ? '' : 's'} could not run because ${notCompiling(errors)}. Fix ${errors.length > 1 ? 'these errors' : 'this error'} first.`);
  return out;
}
