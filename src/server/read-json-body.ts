/**
 * @module server/read-json-body
 * Reads the request body as JSON; malformed JSON, bytes that are not UTF-8
 * and nesting past `maxJsonDepth` are a 400, not a 500. A body that does not
 * arrive within the body deadline (trickling, or short of its Content-Length)
 * is a 408 and its connection is closed.
 */
import type { Context } from "hono";
import { invalidRequest } from "../openai/api-error.js";
import { jsonDepth, maxJsonDepth } from "../openai/json-nesting.js";
import { ApiError } from "../openai/api-error.js";
import { whileWaiting } from "./while-waiting.js";

declare module "hono" {
  interface ContextVariableMap {
    /** How long the body may take to arrive once the headers are in (0: no limit). */
    bodyTimeoutMs: number;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export async function readJsonBody(c: Context): Promise<unknown> {
  // Reading the body is waiting on the client: bounded by the body deadline, and stopped at once by a shutdown.
  const bytes = await whileWaiting(c, withDeadline(c.req.arrayBuffer(), (c.get("bodyTimeoutMs") as number | undefined) ?? 0));
  let text: string;
  try {
    // JSON travels as UTF-8 (RFC 8259); bytes that are not are refused, not silently replaced.
    text = utf8.decode(bytes);
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

/** `reading`, or a 408 once `ms` pass first (0: no limit). */
function withDeadline<T>(reading: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return reading;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reading.catch(() => undefined);
      reject(bodyTimedOut(ms));
    }, ms);
    reading.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function bodyTimedOut(ms: number): ApiError {
  return new ApiError({
    status: 408,
    type: "invalid_request_error",
    message: `The request body did not arrive within ${ms / 1000} s (the server's --body-timeout). Send the whole body at once, and a Content-Length that matches it.`,
    code: "request_body_timeout",
    headers: { connection: "close" },
  });
}
