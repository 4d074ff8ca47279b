// The anchors a Markdown file defines, as GitHub renders them: heading slugs and explicit <a id>s.
// Parsing is marked's lexer (CommonMark/GFM blocks, so fenced code, comments and setext headings
// are handled), slugs are github-slugger's (GitHub's own rules, duplicates suffixed -1, -2, …).
import GithubSlugger, { slug } from 'github-slugger';
import { Lexer, type Token, type Tokens } from 'marked';

/** One heading: its level (1-6), its rendered text and its 1-based line. */
export interface Heading {
  level: number;
  text: string;
  line: number;
}

const A_ANCHOR = /<a\s[^>]*?\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const TAG = /<\/?[a-z][^>]*>/gi;

/** Decodes the HTML entities marked leaves in text (named ones it knows, and numeric ones). */
function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') return String.fromCodePoint(body[1].toLowerCase() === 'x' ? parseInt(body.slice(2), 16) : Number(body.slice(1)));
    return named[body.toLowerCase()] ?? whole;
  });
}

/** The text inline tokens render to: code spans verbatim, links and emphasis as their text, tags dropped. */
function plainText(tokens: Token[] | undefined): string {
  let out = '';
  for (const token of tokens ?? []) {
    if (token.type === 'codespan') out += decodeEntities((token as Tokens.Codespan).text);
    else if (token.type === 'html') out += '';
    else if ('tokens' in token && token.tokens) out += plainText(token.tokens);
    else if (token.type === 'escape' || token.type === 'text') out += decodeEntities((token as Tokens.Text).text.replace(TAG, ''));
    else if (token.type === 'image') out += (token as Tokens.Image).text;
  }
  return out;
}

/** GitHub's slug for a heading's rendered text (without the duplicate suffix). */
export function githubSlug(text: string): string {
  return slug(text);
}

/** Visits every block token, including those nested in lists and quotes. */
function walk(tokens: Token[], visit: (token: Token) => void): void {
  for (const token of tokens) {
    visit(token);
    if (token.type === 'list') for (const item of (token as Tokens.List).items) walk(item.tokens, visit);
    else if (token.type === 'blockquote') walk((token as Tokens.Blockquote).tokens, visit);
  }
}

/** Every heading in the file, in order, as GitHub would render it. */
export function markdownHeadings(markdown: string): Heading[] {
  const headings: Heading[] = [];
  const top = Lexer.lex(markdown, { gfm: true });
  let line = 1;
  const collect = (tokens: Token[], at?: number) => {
    for (const token of tokens) {
      const here = at ?? line;
      if (token.type === 'heading') {
        const h = token as Tokens.Heading;
        headings.push({ level: h.depth, text: plainText(h.tokens).trim(), line: here + ((token.raw.match(/^\n+/)?.[0].length) ?? 0) });
      } else if (token.type === 'list') for (const item of (token as Tokens.List).items) collect(item.tokens, here);
      else if (token.type === 'blockquote') collect((token as Tokens.Blockquote).tokens, here);
      if (at === undefined) line += (token.raw.match(/\n/g) ?? []).length;
    }
  };
  collect(top);
  return headings;
}

/** Every anchor the file defines: heading slugs (repeats suffixed -1, -2, …) and `<a id>`/`<a name>`. */
export function markdownAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const heading of markdownHeadings(markdown)) anchors.add(slugger.slug(heading.text));
  walk(Lexer.lex(markdown, { gfm: true }), (token) => {
    const html = token.type === 'html' ? [token.raw] : token.type === 'paragraph' || token.type === 'heading' ? collectHtml((token as Tokens.Paragraph).tokens) : [];
    for (const chunk of html) {
      if (/^\s*<!--/.test(chunk)) continue;
      for (const m of chunk.matchAll(A_ANCHOR)) anchors.add(m[1] ?? m[2] ?? m[3]);
    }
  });
  return anchors;
}

/** The raw inline HTML of a paragraph's or heading's tokens. */
function collectHtml(tokens: Token[] | undefined): string[] {
  const out: string[] = [];
  for (const token of tokens ?? []) {
    if (token.type === 'html') out.push(token.raw);
    else if ('tokens' in token && token.tokens) out.push(...collectHtml(token.tokens));
  }
  return out;
}
