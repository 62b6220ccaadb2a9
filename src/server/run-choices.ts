/**
 * @module server/run-choices
 * Runs the choices of one request on a leased sequence, one after another,
 * passing each through the stop/cleaning rules, and reports what the client
 * may see as it becomes final. Shared by chat and completion routes.
 */
import type { EngineSlot, GenerateOptions, GeneratedToken } from "../engine/engine.js";
import { CompletionText, type CompletionTextOptions } from "../streaming/completion-text.js";

export interface ChoiceJob {
  index: number;
  prompt: readonly number[];
  /** Counted in usage (false for a repeat of an already counted prompt, as with `n` > 1). */
  countPrompt: boolean;
  options: Omit<GenerateOptions, "signal">;
  text: CompletionTextOptions;
}

export type FinishReason = "stop" | "length";

export type ChoiceEvent =
  | { type: "delta"; index: number; text: string; tokens: GeneratedToken[] }
  | { type: "finish"; index: number; reason: FinishReason };

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export async function* runChoices(slot: EngineSlot, jobs: readonly ChoiceJob[], usage: Usage, signal?: AbortSignal): AsyncGenerator<ChoiceEvent> {
  for (const job of jobs) {
    const text = new CompletionText<GeneratedToken>(job.text);
    let reason: FinishReason = "stop";
    for await (const event of slot.generate(job.prompt, { ...job.options, signal })) {
      if (event.type === "prefilled") {
        if (job.countPrompt) {
          usage.promptTokens += event.promptTokens;
          usage.cachedTokens += event.cachedTokens;
        }
      } else if (event.type === "token") {
        usage.completionTokens += 1;
        const released = text.push(event.token.text, event.token.id >= 0 ? event.token : undefined);
        if (released.text.length > 0 || released.entries.length > 0) {
          yield { type: "delta", index: job.index, text: released.text, tokens: released.entries };
        }
        // A stop string ends the choice at once; leaving the loop stops the engine.
        if (text.stopped) break;
      } else {
        reason = event.reason === "length" ? "length" : "stop";
      }
    }
    if (text.stopped) reason = "stop";
    const rest = text.finish();
    if (rest.text.length > 0 || rest.entries.length > 0) yield { type: "delta", index: job.index, text: rest.text, tokens: rest.entries };
    yield { type: "finish", index: job.index, reason };
  }
}
