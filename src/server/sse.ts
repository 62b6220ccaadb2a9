/**
 * @module server/sse
 * Server-sent events the way OpenAI clients read them: `data: <json>` lines,
 * `data: [DONE]` at the end, and a failure after the stream began written as
 * `data: {"error":{…}}` followed by closing the stream (no [DONE]).
 */
import type { Context } from "hono";
import { stream } from "hono/streaming";
import { toErrorResponse } from "../openai/api-error.js";
import { noteError } from "./error-response.js";

export interface SseWriter {
  send(data: unknown): Promise<void>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** Streams the events produced by `produce`, then `[DONE]`; an error becomes an error event. */
export function respondWithSse(c: Context, signal: AbortSignal, produce: (writer: SseWriter) => Promise<void>, onError?: (error: unknown) => void): Response {
  c.header("content-type", "text/event-stream; charset=utf-8");
  c.header("cache-control", "no-cache");
  c.header("connection", "keep-alive");
  c.header("x-accel-buffering", "no");
  return stream(c, async (output) => {
    const controller = new AbortController();
    const abort = () => controller.abort(new Error("the client disconnected"));
    signal.addEventListener("abort", abort, { once: true });
    output.onAbort(abort);
    // A client that stops reading stalls every write. When the request is
    // stopped (time limit, shutdown), stop waiting so its sequence is freed.
    const requestSignal = (c.get("requestSignal") as AbortSignal | undefined) ?? signal;
    let onStopped: () => void = () => undefined;
    const stopped = new Promise<never>((_, reject) => {
      onStopped = () => reject(requestSignal.reason);
      if (requestSignal.aborted) onStopped();
      else requestSignal.addEventListener("abort", onStopped, { once: true });
    });
    stopped.catch(() => undefined);
    const write = (text: string) => Promise.race([output.write(text), stopped]);
    const writer: SseWriter = {
      signal: controller.signal,
      send: async (data) => {
        await write(`data: ${JSON.stringify(data)}\n\n`);
      },
    };
    try {
      await produce(writer);
      if (!controller.signal.aborted) await write("data: [DONE]\n\n");
    } catch (error) {
      if (!controller.signal.aborted) {
        onError?.(error);
        const { body } = toErrorResponse(error);
        noteError(c, body.error, true);
        await write(`data: ${JSON.stringify(body)}\n\n`).catch(() => undefined);
      }
    } finally {
      signal.removeEventListener("abort", abort);
      requestSignal.removeEventListener("abort", onStopped);
    }
  });
}
