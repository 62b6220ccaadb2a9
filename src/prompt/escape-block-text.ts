/**
 * @module prompt/escape-block-text
 * The injection-safety scheme for the URIAL layout. Text placed inside a
 * block (a query, an answer, an exemplar, a client system message) must not
 * be able to close its block or forge a `# Query:` / `# Answer:` turn:
 *
 * 1. Header lines are neutralised: a line that starts (after any
 *    indentation) with one or more `#` followed by `Query`, `Answer` or
 *    `Instruction` (any case) gets a backslash before its first `#` — `\# Query:` — which is
 *    how Markdown itself escapes a heading. Look-alikes count as the real
 *    thing: every Unicode line break (VT, FF, NEL, U+2028/9, a lone CR)
 *    becomes `\n`; on each line, zero-width characters and BOMs are ignored
 *    and compatibility forms are folded (NFKC: no-break and ideographic
 *    spaces, fullwidth `＃` and letters), and a line that then reads as a
 *    header is written in that folded form, escaped. Other lines keep their
 *    characters.
 * 2. The principles template's markers (`<internal-thoughts>`,
 *    `</internal-thoughts>`) get a backslash before their `<`, so text cannot
 *    open or close a thoughts section.
 * 3. Fences are made longer than anything inside: a block is fenced with one
 *    more backtick than the longest backtick run in its text (at least three),
 *    so a ``` inside user text cannot close the block (CommonMark's rule: a
 *    fence closes only with a fence at least as long).
 */

const headerLine = /^([ \t]*)(#+[ \t]*(?:query|answer|instruction)\b)/i;

/** Every line break a renderer or a model may honour; all become `\n`. */
const lineBreaks = /\r\n|[\r\v\f\x85\u2028\u2029]/g;

/** Characters that take no room on screen: zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator. */
const invisible = /[\u200B-\u200D\u2060\uFEFF\u00AD\u180E]/g;

const thoughtMarker = /<(\/?internal-thoughts>)/gi;

/** Neutralises lines that look like URIAL block headers. */
export function escapeHeaderLines(text: string): string {
  return text.replace(lineBreaks, "\n").split("\n").map(escapeHeaderLine).join("\n");
}

function escapeHeaderLine(line: string): string {
  if (headerLine.test(line)) return line.replace(headerLine, "$1\\$2");
  // Cheap exit for the common case: no '#' or look-alike anywhere.
  if (!/[#\uFF03\uFE5F]/.test(line)) return line;
  const folded = line
    .replace(invisible, "")
    .normalize("NFKC")
    .replace(/^\s+/, (space) => space.replace(/[^\t]/g, " "));
  return headerLine.test(folded) ? folded.replace(headerLine, "$1\\$2") : line;
}

/** Everything a block's text needs: header lines and thought markers neutralised. */
export function escapeBlockText(text: string): string {
  return escapeHeaderLines(text).replace(thoughtMarker, "\\<$1");
}

/** The fence that safely encloses `text`: ``` or longer. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(longest >= 3 ? longest + 1 : 3);
}
