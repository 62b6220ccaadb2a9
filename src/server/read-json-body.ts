/**
 * @module server/read-json-body
 * Reads the request body as JSON; malformed JSON, bytes that are not UTF-8
 * and nesting past `maxJsonDepth` are a 400, not a 500.
 */
import type { Context } from "hono";
import { invalidRequest } from "../openai/api-error.js";
import { jsonDepth, maxJsonDepth } from "../openai/json-nesting.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export async function readJsonBody(c: Context): Promise<unknown> {
  let text: string;
  try {
    // JSON travels as UTF-8 (RFC 8259); bytes that are not are refused, not silently replaced.
    text = utf8.decode(await c.req.arrayBuffer());
  } catch {
    throw invalidRequest("The request body is not valid UTF-8.", null, "invalid_encoding");
  }
  if (text.trim().length === 0) throw invalidRequest("The request body is empty; send a JSON object.", null, "invalid_request_body");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, null, "invalid_json");
  }
  if (jsonDepth(body) > maxJsonDepth) {
    throw invalidRequest(`The request body nests arrays and objects more than ${maxJsonDepth} levels deep.`, null, "json_too_deep");
  }
  return body;
}
