/**
 * @module server/error-response
 * The one way the app answers an error: `toErrorResponse` picks status, body
 * and headers; this writes them and notes the error on the request's record.
 */
import type { Context } from "hono";
import { toErrorResponse } from "../openai/api-error.js";
import type { RequestRecord } from "../telemetry/request-record.js";
import type { RequestScope } from "../lifecycle/request-tracker.js";

declare module "hono" {
  interface ContextVariableMap {
    /** What the request log and the metrics learn about this request. */
    record: RequestRecord;
    /** Aborted when the client leaves, the request times out, or a shutdown stops it. */
    requestSignal: AbortSignal;
    /** The request's place among those in flight (`waitFor` marks time spent only waiting). */
    requestScope: RequestScope;
  }
}

/** The error response for `error`, with its headers; returns its status too, for callers that log. */
export function respondWithError(c: Context, error: unknown): Response {
  const { status, body, headers } = toErrorResponse(error);
  noteError(c, body.error, false);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  // Refused before (or while) its body was read: the rest of the body would
  // sit in front of the next request on this connection, so end the connection.
  if (status === 413 || (!c.req.raw.bodyUsed && hasBody(c))) c.header("connection", "close");
  return c.json(body, status as 400);
}

/** Notes an error on the request's record (`inStream`: sent as an event inside a stream that had begun). */
export function noteError(c: Context, error: { type: string; code: string | null; message: string }, inStream: boolean): void {
  const record = c.get("record") as RequestRecord | undefined;
  if (!record) return;
  record.error = { type: error.type, code: error.code, message: error.message };
  record.streamError = inStream;
}

function hasBody(c: Context): boolean {
  const length = c.req.header("content-length");
  return (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
}
