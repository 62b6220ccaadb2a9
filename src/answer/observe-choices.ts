/**
 * @module answer/observe-choices
 * Passes a request's choice events through unchanged while noting on its
 * record when the first token came (time to first token) and how each choice
 * ended (for the log and the per-variant metrics).
 */
import { performance } from "node:perf_hooks";
import type { RequestRecord } from "../telemetry/request-record.js";
import type { ChoiceEvent } from "./run-choices.js";

/** `events`, unchanged, noting the first token's time and each choice's ending on `record`. */
export async function* observeChoices(record: RequestRecord | undefined, events: AsyncIterable<ChoiceEvent>): AsyncGenerator<ChoiceEvent> {
  // `started` comes as a choice's first token is counted, and also (just before
  // `finish`) for a choice that generated nothing: keep its time, and keep it
  // as the first token's only once a token was counted.
  let startedAt: number | undefined;
  for await (const event of events) {
    if (record !== undefined) {
      if (startedAt !== undefined && record.firstTokenAtMs === undefined && (record.usage?.completionTokens ?? 0) > 0) record.firstTokenAtMs = startedAt;
      if (event.type === "started") startedAt ??= performance.now();
      else if (event.type === "finish") record.finishes.push({ reason: event.reason, cut: event.cut?.kind ?? null });
    }
    yield event;
  }
}
