/**
 * @module telemetry/abort-cause
 * Why a request was stopped before its answer was complete, from its abort
 * signal's reason, as a word for the request log: the client left (closed
 * the connection or stopped reading a stream), the wall-clock limit passed,
 * or a shutdown stopped it. Pure.
 */
import { ApiError } from "../openai/api-error.js";

export type AbortCause = "client_disconnected" | "timeout" | "shutdown";

/** The cause of an abort with `reason`; `clientGone`: the client's own signal fired. */
export function abortCause(reason: unknown, clientGone: boolean): AbortCause {
  if (reason instanceof ApiError) {
    if (reason.code === "request_timeout") return "timeout";
    if (reason.code === "server_shutting_down") return "shutdown";
  }
  if (clientGone) return "client_disconnected";
  // The stream's reader went away (the other client-side ending) or an unknown reason: the client is the likely cause.
  return "client_disconnected";
}
