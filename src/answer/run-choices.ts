/**
 * @module answer/run-choices
 * Runs the choices of one request on a leased sequence, one after another,
 * passing each through its answer pipeline (stops, cleaning, thoughts), and
 * reports what the client may see as it becomes final. Shared by the chat and
 * completion routes.
 */
import type { EngineSlot, GenerateOptions, GeneratedToken } from "../engine/engine.js";
import type { CutReason } from "../hygiene/completion-text.js";
import { createAnswerPipeline, type PipelineOptions } from "../hygiene/answer-pipeline.js";

export interface ChoiceJob {
  index: number;
  prompt: readonly number[];
  /** Counted in usage (false for a repeat of an already counted prompt, as with `n` > 1). */
  countPrompt: boolean;
  options: Omit<GenerateOptions, "signal">;
  pipeline: PipelineOptions;
}

export type FinishReason = "stop" | "length";

export type ChoiceEvent =
  /** The choice's first token was generated (its text may still be held back). */
  | { type: "started"; index: number }
  /** `tokens` are the logprob entries of `text` (content only; thoughts carry none). */
  | { type: "delta"; index: number; text: string; reasoning: string; tokens: GeneratedToken[] }
  /** `cut`: why the server ended the text, when it was not the model (EOS) or the token budget. */
  | { type: "finish"; index: number; reason: FinishReason; cut: CutReason | undefined };

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export async function* runChoices(slot: EngineSlot, jobs: readonly ChoiceJob[], usage: Usage, signal?: AbortSignal): AsyncGenerator<ChoiceEvent> {
  for (const job of jobs) {
    const pipeline = createAnswerPipeline<GeneratedToken>(job.pipeline);
    let reason: FinishReason = "stop";
    let started = false;
    // What this choice added to `usage`, so an engine's own final count can replace it.
    const counted = { promptTokens: 0, cachedTokens: 0, completionTokens: 0 };
    for await (const event of slot.generate(job.prompt, { ...job.options, signal })) {
      if (event.type === "prefilled") {
        if (job.countPrompt) {
          usage.promptTokens += event.promptTokens;
          usage.cachedTokens += event.cachedTokens;
          counted.promptTokens += event.promptTokens;
          counted.cachedTokens += event.cachedTokens;
        }
      } else if (event.type === "token") {
        if (!started) {
          started = true;
          yield { type: "started", index: job.index };
        }
        usage.completionTokens += 1;
        counted.completionTokens += 1;
        const released = pipeline.push(event.token.text, event.token.id >= 0 ? event.token : undefined);
        if (released.content.text.length > 0 || released.content.entries.length > 0 || released.reasoning.text.length > 0) {
          yield { type: "delta", index: job.index, text: released.content.text, reasoning: released.reasoning.text, tokens: released.content.entries };
        }
        // A cut ends the choice at once; leaving the loop stops the engine.
        if (pipeline.stopped) break;
      } else {
        reason = event.reason === "length" ? "length" : "stop";
        if (event.usage) {
          // A remote engine's upstream count arrives last and is the true one.
          if (job.countPrompt) {
            usage.promptTokens += event.usage.promptTokens - counted.promptTokens;
            usage.cachedTokens += event.usage.cachedTokens - counted.cachedTokens;
          }
          usage.completionTokens += event.usage.completionTokens - counted.completionTokens;
        }
      }
    }
    if (pipeline.stopped) reason = "stop";
    const rest = pipeline.finish();
    if (rest.content.text.length > 0 || rest.content.entries.length > 0 || rest.reasoning.text.length > 0) {
      yield { type: "delta", index: job.index, text: rest.content.text, reasoning: rest.reasoning.text, tokens: rest.content.entries };
    }
    if (!started) yield { type: "started", index: job.index };
    yield { type: "finish", index: job.index, reason, cut: pipeline.cutReason };
  }
}
