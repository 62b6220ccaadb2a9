/**
 * @module server/read-json-body
 * Reads the request body as JSON; malformed JSON is a 400, not a 500.
 */
import type { Context } from "hono";
import { invalidRequest } from "../openai/api-error.js";

export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim().length === 0) throw invalidRequest("The request body is empty; send a JSON object.", null, "invalid_request_body");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, null, "invalid_json");
  }
}
