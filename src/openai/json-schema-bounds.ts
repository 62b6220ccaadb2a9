/**
 * @module openai/json-schema-bounds
 * The largest `response_format` JSON schema the server turns into a grammar.
 * Grammar building and grammar-constrained sampling grow faster than the
 * schema: an `enum` of 100,000 strings (868 KiB) held the event loop for 51 s.
 * Within these bounds a grammar builds in well under a second. The limits
 * follow OpenAI's own structured-output limits where it has them (nesting,
 * properties, enum values), so a schema that works there works here.
 */
import { invalidInput, type DomainError } from "../errors/domain-error.js";

export const jsonSchemaBounds = {
  /** Serialised size of the schema, in characters. */
  maxChars: 64 * 1024,
  /** Nesting of objects and arrays inside the schema. */
  maxDepth: 32,
  /** Object properties, over the whole schema. */
  maxProperties: 5000,
  /** `enum` and `const` values, over the whole schema. */
  maxEnumValues: 1000,
} as const;

const param = "response_format.json_schema.schema";

/** Undefined when `schema` is within the bounds; else the 400 that names the bound that was passed. */
export function checkJsonSchemaBounds(schema: unknown): DomainError | undefined {
  let properties = 0;
  let enumValues = 0;
  // Iterative walk: a schema nested 10,000 deep must not overflow the stack.
  const stack: { value: unknown; depth: number }[] = [{ value: schema, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth > jsonSchemaBounds.maxDepth) {
      return tooLarge(`is nested more than ${jsonSchemaBounds.maxDepth} levels deep`);
    }
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
    if (!Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      if (record.properties !== null && typeof record.properties === "object" && !Array.isArray(record.properties)) properties += Object.keys(record.properties).length;
      if (Array.isArray(record.enum)) enumValues += record.enum.length;
      if ("const" in record) enumValues += 1;
      if (properties > jsonSchemaBounds.maxProperties) return tooLarge(`has more than ${jsonSchemaBounds.maxProperties} object properties in all`);
      if (enumValues > jsonSchemaBounds.maxEnumValues) return tooLarge(`has more than ${jsonSchemaBounds.maxEnumValues} enum and const values in all`);
    }
    for (const [, child] of entries) stack.push({ value: child, depth: depth + 1 });
  }
  const chars = JSON.stringify(schema).length;
  if (chars > jsonSchemaBounds.maxChars) return tooLarge(`is ${chars} characters long; the most is ${jsonSchemaBounds.maxChars}`);
  return undefined;
}

function tooLarge(what: string): DomainError {
  return invalidInput(
    `The JSON schema ${what}. This server builds a grammar from the schema for every request, and schemas past its limits (${jsonSchemaBounds.maxChars} characters, ${jsonSchemaBounds.maxDepth} levels, ${jsonSchemaBounds.maxProperties} properties, ${jsonSchemaBounds.maxEnumValues} enum values) would stall it; simplify the schema.`,
    param,
    "json_schema_too_large",
  );
}
