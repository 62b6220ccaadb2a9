/**
 * @module engine/json-schema-for-grammar
 * Adapts a client's JSON schema to what node-llama-cpp's grammar builder
 * handles correctly: it compiles `anyOf` into a grammar that only accepts
 * `null`, while `oneOf` works, so `anyOf` is rewritten as `oneOf` (for a
 * generated value that has to match at least one branch the two accept the
 * same documents in practice).
 */
export function toGrammarSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toGrammarSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    const target = key === "anyOf" ? "oneOf" : key;
    result[target] = toGrammarSchema(value);
  }
  return result;
}
