import ts from 'typescript';

// The disguises a copier uses, applied to TypeScript source with TypeScript's own parser: the
// similarity test set is built from the labs' solutions and mutants with these.

/** Renames every local name (variables, parameters, functions and classes declared in the file, not exports' public names) consistently. */
export function renameLocals(text: string, prefix = 'v'): string {
  const file = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
  const declared = new Set<string>();
  const visit = (node: ts.Node) => {
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node)) && ts.isIdentifier(node.name)) declared.add(node.name.text);
    if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name && !node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) declared.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  const names = new Map([...declared].map((n, i) => [n, `${prefix}${i}_${n.length}`]));
  // Replace identifiers from the end, so earlier positions stay right; a property name after `.` or
  // in an object literal's key keeps its name (it is part of the data, not a local).
  const edits: { start: number; end: number; text: string }[] = [];
  const walk = (node: ts.Node) => {
    if (ts.isIdentifier(node) && names.has(node.text)) {
      const parent = node.parent;
      const isProperty = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node) || (ts.isPropertySignature(parent) && parent.name === node) || (ts.isPropertyDeclaration(parent) && parent.name === node) || (ts.isMethodDeclaration(parent) && parent.name === node);
      if (ts.isShorthandPropertyAssignment(parent)) edits.push({ start: node.getStart(), end: node.getEnd(), text: `${node.text}: ${names.get(node.text)}` });
      else if (!isProperty) edits.push({ start: node.getStart(), end: node.getEnd(), text: names.get(node.text)! });
    }
    ts.forEachChild(node, walk);
  };
  walk(file);
  let out = text;
  for (const e of edits.sort((x, y) => y.start - x.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The top-level statements in another order: imports first as they must be, then the rest reversed. */
export function reorderTopLevel(text: string): string {
  const file = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true);
  const parts = file.statements.map((s) => text.slice(s.getFullStart(), s.getEnd()).replace(/^\s*\n/, ''));
  const imports = parts.filter((_, i) => ts.isImportDeclaration(file.statements[i]));
  const rest = parts.filter((_, i) => !ts.isImportDeclaration(file.statements[i])).reverse();
  return `${[...imports, ...rest].join('\n\n')}\n`;
}

/** A comment above every statement-looking line, and a header block. */
export function addComments(text: string): string {
  const lines = text.split('\n').flatMap((line, i) => (/^\s*(const|let|return|if|for)\b/.test(line) ? [`${line.match(/^\s*/)![0]}// step ${i}: worked this out on paper first`, line] : [line]));
  return `/*\n * My solution to the lab.\n * Written late at night.\n */\n${lines.join('\n')}`;
}

/** Four-space indents, blank lines doubled, and spaces around every comma. */
export function reformat(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^( +)/, (s) => s.replace(/ {2}/g, '    ')).replace(/,(?=\S)/g, ', '))
    .join('\n\n');
}

/** Every disguise at once. */
export function disguise(text: string): string {
  return reformat(addComments(reorderTopLevel(renameLocals(text))));
}
