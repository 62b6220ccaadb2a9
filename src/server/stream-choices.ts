/**
 * @module server/stream-choices
 * The one writer that turns a run's choice events into SSE chunks, for both
 * the chat and the completions route: the run is primed up to its first
 * token before the 200 is committed (an earlier failure gets its own
 * status), then each event becomes the chunks the route's `ChunkFormat`
 * builds, then the usage chunk when asked for, then `[DONE]`.
 */
import type { Context } from "hono";
import type { ChoiceEvent, Usage } from "../answer/run-choices.js";
import type { AnswerRun } from "../answer/start-answer.js";
import { primeEvents } from "../answer/prime-events.js";
import type { AppDeps } from "./app-deps.js";
import { respondWithSse } from "./sse.js";

/** How one route's events look on the wire. Each function returns the chunks to send, in order. */
export interface ChunkFormat {
  /** Before a choice's first event (the chat role chunk, a completion's echo). */
  open(index: number): unknown[];
  delta(event: Extract<ChoiceEvent, { type: "delta" }>): unknown[];
  finish(event: Extract<ChoiceEvent, { type: "finish" }>): unknown[];
  /** The extra chunk with `choices: []` and the usage (`stream_options.include_usage`); undefined: none. */
  usage?: (usage: Usage) => unknown;
}

export async function streamChoices(c: Context, deps: Pick<AppDeps, "onServerError">, run: AnswerRun, format: ChunkFormat): Promise<Response> {
  // Failures before the first token get their own status, not a 200 with an error event.
  const primed = await primeEvents(run.events, (event) => event.type === "started").catch((error: unknown) => {
    run.release();
    throw error;
  });
  return respondWithSse(
    c,
    c.req.raw.signal,
    async (writer) => {
      try {
        const opened = new Set<number>();
        for await (const event of primed) {
          if (!opened.has(event.index)) {
            opened.add(event.index);
            for (const chunk of format.open(event.index)) await writer.send(chunk);
          }
          if (event.type === "started") continue;
          const chunks = event.type === "delta" ? format.delta(event) : format.finish(event);
          for (const chunk of chunks) await writer.send(chunk);
        }
        if (format.usage) await writer.send(format.usage(run.usage));
      } finally {
        run.release();
      }
    },
    (error) => deps.onServerError?.(c.get("requestId"), error),
  );
}
