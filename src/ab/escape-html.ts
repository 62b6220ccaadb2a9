/**
 * @module ab/escape-html
 * Escaping for text placed in the A/B report's HTML (elements and quoted
 * attributes). Model and judge text is never trusted.
 */

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes `& < > " '`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character]!);
}
