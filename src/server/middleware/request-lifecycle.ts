/**
 * @module server/middleware/request-lifecycle
 * Opens and closes each request: its record (for the log and the metrics), its
 * abort signal (client gone, wall-clock limit, forced shutdown) and its place
 * among the requests in flight. A request arriving while the server shuts
 * down gets 503. A streamed response counts as done when its last byte is
 * out, or when the client stops reading.
 */
import type { MiddlewareHandler } from "hono";
import { performance } from "node:perf_hooks";
import type { RequestTracker } from "../../lifecycle/request-tracker.js";
import { requestTimedOut, shuttingDown } from "../../openai/api-error.js";
import { startRecord, type RequestRecord } from "../../telemetry/request-record.js";
import { respondWithError } from "../error-response.js";
import { abortCause } from "../../telemetry/abort-cause.js";

export interface RequestLifecycleOptions {
  tracker: RequestTracker;
  /** Wall-clock limit per request in ms; 0 disables it. */
  timeoutMs: number;
  /** How long a request's body may take to arrive, in ms (read by `readJsonBody`); 0 or undefined: no limit. */
  bodyTimeoutMs?: number;
  /** Called once per request when its response is done (never throws into the request). */
  onDone?: (record: RequestRecord) => void;
}

/** Middleware: the record, signal and in-flight place of every request; 503 while shutting down. */
export function requestLifecycle(options: RequestLifecycleOptions): MiddlewareHandler {
  const { tracker, timeoutMs } = options;
  return async function trackRequest(c, next) {
    const record = startRecord(c.get("requestId"), c.req.method, c.req.path);
    c.set("record", record);
    const scope = tracker.begin({ clientSignal: c.req.raw.signal, timeoutMs, timeoutReason: () => requestTimedOut(timeoutMs) });
    c.set("requestSignal", scope.signal);
    c.set("requestScope", scope);
    c.set("bodyTimeoutMs", options.bodyTimeoutMs ?? 0);
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      record.endedAtMs = performance.now();
      // Stopped before it was done: the log says so, and why (a stream cut short still has status 200).
      if (scope.signal.aborted) record.aborted = abortCause(scope.signal.reason, c.req.raw.signal.aborted);
      scope.end();
      try {
        options.onDone?.(record);
      } catch {
        // Telemetry must never break a response.
      }
    };
    let streaming = false;
    try {
      if (tracker.draining) {
        c.res = respondWithError(c, shuttingDown());
        record.status = c.res.status;
        return;
      }
      await next();
      record.status = c.res.status;
      // Shutting down: no keep-alive, so the connection closes once this answer is out.
      if (tracker.draining) c.res.headers.set("connection", "close");
      const body = c.res.body;
      if (body !== null && (c.res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
        streaming = true;
        c.res = new Response(
          watchBody(body, (cancelled) => {
            // A client that stops reading is gone: stop its generation too.
            if (cancelled) scope.abort(new Error("the client stopped reading the stream"));
            finish();
          }),
          c.res,
        );
      }
    } finally {
      if (!streaming) finish();
    }
  };
}

/** The same bytes, chunk for chunk, with a call when the stream ends, fails or is cancelled. */
function watchBody(body: ReadableStream<Uint8Array>, onEnd: (cancelled: boolean) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          onEnd(false);
        } else controller.enqueue(value);
      } catch (error) {
        onEnd(false);
        controller.error(error);
      }
    },
    async cancel(reason) {
      onEnd(true);
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}
