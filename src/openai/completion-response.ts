/**
 * @module openai/completion-response
 * Builders for legacy text completion objects and stream chunks.
 */
import { responseHead, type ResponseIdentity, type UsageBody } from "./chat-response.js";
import type { CompletionLogprobs } from "./logprobs.js";

export function completionChunk(identity: ResponseIdentity, index: number, text: string, finishReason: "stop" | "length" | null, logprobs: CompletionLogprobs | null, includeUsage: boolean) {
  return {
    ...responseHead(identity, "text_completion"),
    choices: [{ index, text, logprobs, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

export function completionUsageChunk(identity: ResponseIdentity, usage: UsageBody) {
  return {
    ...responseHead(identity, "text_completion"),
    choices: [],
    usage,
  };
}

export interface FinishedTextChoice {
  text: string;
  finishReason: "stop" | "length";
  logprobs: CompletionLogprobs | null;
}

export function textCompletion(identity: ResponseIdentity, choices: readonly FinishedTextChoice[], usage: UsageBody) {
  return {
    ...responseHead(identity, "text_completion"),
    choices: choices.map((choice, index) => ({ index, text: choice.text, logprobs: choice.logprobs, finish_reason: choice.finishReason })),
    usage,
  };
}
