/**
 * @module openai/json-nesting
 * One bound on how deeply a request body may nest, checked once right after
 * parsing, so that every later walk over client JSON (schema validation,
 * grammar building, prompt hashing, the request log) is recursion-safe. A
 * body nested 10,000 deep used to overflow the stack in some of those walks
 * (a 500) or be served and silently left out of the log.
 */

/** Deepest nesting of arrays and objects accepted in a request body. */
export const maxJsonDepth = 64;

/** The depth of the deepest array or object in `value` (0 for a scalar); stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = maxJsonDepth): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== "object") continue;
    if (item.depth > deepest) deepest = item.depth;
    if (deepest > limit) return deepest;
    const children = Array.isArray(item.value) ? item.value : Object.values(item.value);
    for (const child of children) if (child !== null && typeof child === "object") stack.push({ value: child, depth: item.depth + 1 });
  }
  return deepest;
}
