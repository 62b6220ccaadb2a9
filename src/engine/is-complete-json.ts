/**
 * @module engine/is-complete-json
 * When a grammar-constrained JSON output is done: once the text parses as a
 * whole object or array, the grammar would only let whitespace follow, so
 * generation stops there instead of spending tokens on it.
 */

/** Whether `text` (trailing whitespace aside) is one whole JSON object or array. */
export function isCompleteJson(text: string): boolean {
  const trimmed = text.trimEnd();
  if (!trimmed.endsWith("}") && !trimmed.endsWith("]")) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}
