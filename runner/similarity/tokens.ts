import ts from 'typescript';

/** One token of a source file, normalised: its kind, and the line it starts on (1-based). */
export interface Token {
  /** The token's kind code: names, strings and numbers each share one code, so renaming hides nothing. */
  kind: number;
  line: number;
}

// Codes for the normalised kinds, above every ts.SyntaxKind.
const NAME = 10_000;
const STRING = 10_001;
const NUMBER = 10_002;

/** What a token counts as: every name is one kind, every literal string (or piece of a template) one, every number one. */
function normalise(kind: ts.SyntaxKind): number {
  switch (kind) {
    case ts.SyntaxKind.Identifier:
    case ts.SyntaxKind.PrivateIdentifier:
      return NAME;
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.TemplateHead:
    case ts.SyntaxKind.TemplateMiddle:
    case ts.SyntaxKind.TemplateTail:
    case ts.SyntaxKind.RegularExpressionLiteral:
      return STRING;
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.BigIntLiteral:
      return NUMBER;
    default:
      return kind;
  }
}

/**
 * The TypeScript token stream of a file, by TypeScript's own scanner: comments and whitespace
 * dropped, names and literals normalised (see normalise). Templates are followed through their
 * `${…}` parts, so a template's text never reads as code.
 */
export function tokenize(text: string): Token[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const tokens: Token[] = [];
  // Line numbers from the scanner's positions: the offsets where lines start, searched.
  const starts = [0];
  for (const m of text.matchAll(/\r\n?|\n|\u2028|\u2029/g)) starts.push(m.index + m[0].length);
  let line = 0;
  const lineOf = (pos: number) => {
    // Tokens come in order, so the line only moves forward.
    while (line + 1 < starts.length && starts[line + 1] <= pos) line++;
    return line + 1;
  };
  // The brace depth at which each open template's `${` was opened.
  const templates: number[] = [];
  let depth = 0;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.OpenBraceToken) depth++;
    else if (kind === ts.SyntaxKind.CloseBraceToken) {
      if (templates.at(-1) === depth) {
        kind = scanner.reScanTemplateToken(false);
        if (kind === ts.SyntaxKind.TemplateTail) templates.pop();
      } else depth--;
    } else if (kind === ts.SyntaxKind.TemplateHead) templates.push(depth);
    else if (kind === ts.SyntaxKind.SlashToken || kind === ts.SyntaxKind.SlashEqualsToken) {
      // A slash where an operand is due starts a regular expression.
      const prev = tokens.at(-1)?.kind;
      if (prev === undefined || !OPERAND_ENDS.has(prev)) kind = scanner.reScanSlashToken();
    }
    tokens.push({ kind: normalise(kind), line: lineOf(scanner.getTokenStart()) });
  }
  return tokens;
}

/** Token kinds after which a slash divides (an operand just ended) rather than starting a regular expression. */
const OPERAND_ENDS = new Set<number>([NAME, STRING, NUMBER, ts.SyntaxKind.CloseParenToken, ts.SyntaxKind.CloseBracketToken, ts.SyntaxKind.CloseBraceToken, ts.SyntaxKind.ThisKeyword, ts.SyntaxKind.SuperKeyword, ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword, ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken]);
