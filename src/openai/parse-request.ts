/**
 * @module openai/parse-request
 * Validates a JSON body against a request schema and turns the first problem
 * into a 400 whose `param` is the field's dot path (`messages.0.content`).
 */
import type { z } from "zod";
import { invalidRequest } from "./api-error.js";

export function parseRequest<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw invalidRequest("The request body must be a JSON object.", null, "invalid_request_body");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.map(String).join(".");
  const where = param.length > 0 ? `'${param}' ` : "";
  throw invalidRequest(`Invalid request: ${where}${issue.message}.`, param.length > 0 ? param : null, "invalid_value");
}

/**
 * Fields the OpenAI API defines that this server does not implement. Sending
 * one with a value that would change the result is a 400 naming it; the
 * value that means "nothing" (null, [], {}, "none", ["text"], 1, "") passes.
 */
export function rejectUnsupported(request: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of fields) {
    const value = request[field];
    if (isNeutral(value)) continue;
    throw invalidRequest(`'${field}' is not supported by this server (it serves a base model through the URIAL prompt).`, field, "unsupported_parameter");
  }
}

function isNeutral(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === "none" || value === 1) return true;
  if (Array.isArray(value)) return value.length === 0 || (value.length === 1 && value[0] === "text");
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}
