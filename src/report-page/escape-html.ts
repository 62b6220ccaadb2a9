/**
 * @module report-page/escape-html
 * Escaping for text placed in HTML (elements and quoted attributes) and for
 * JSON placed inside a `<script>` element.
 */

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes `& < > " '`, so the text can go in an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character]!);
}

/**
 * JSON that cannot end its `<script>` element or open a comment in it: `<`,
 * `>` and `&` become `\u003c`-style escapes, as do U+2028/U+2029.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
