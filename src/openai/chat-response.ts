/**
 * @module openai/chat-response
 * Builders for chat completion objects and stream chunks. Every chunk of one
 * response shares `id`, `created`, `model` and `system_fingerprint`.
 */
import type { ChatLogprobEntry } from "./logprobs.js";

export interface ResponseIdentity {
  id: string;
  created: number;
  model: string;
  systemFingerprint: string;
  /** The A/B experiment and variant that served the request; sent as `urial_experiment` (absent outside experiments). */
  experiment?: { id: string; variant: string };
}

/** The fields every object and chunk of one response starts with (chat and text completions alike). */
export function responseHead<Kind extends string>(identity: ResponseIdentity, object: Kind) {
  return { id: identity.id, object, created: identity.created, model: identity.model, system_fingerprint: identity.systemFingerprint };
}

/** The `urial_experiment` body field, when the request ran in an experiment. */
function experimentField(identity: ResponseIdentity) {
  return identity.experiment === undefined ? {} : { urial_experiment: identity.experiment };
}

export interface UsageBody {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export function usageBody(promptTokens: number, completionTokens: number, cachedTokens: number): UsageBody {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens },
  };
}

export interface ChatDelta {
  role?: "assistant";
  content?: string;
  /** Internal thoughts (principles template), only when the request asked for them. */
  reasoning_content?: string;
}

/** One streamed chunk with a single choice. */
export function chatChunk(
  identity: ResponseIdentity,
  index: number,
  delta: ChatDelta,
  finishReason: "stop" | "length" | null,
  logprobs: ChatLogprobEntry[] | null,
  includeUsage: boolean,
  stopReason: string | null = null,
) {
  const choice = { index, delta, logprobs: logprobs === null ? null : { content: logprobs, refusal: null }, finish_reason: finishReason };
  return {
    ...responseHead(identity, "chat.completion.chunk"),
    ...experimentField(identity),
    choices: [finishReason === null ? choice : { ...choice, stop_reason: stopReason }],
    ...(includeUsage ? { usage: null } : {}),
  };
}

/** The extra chunk sent last when `stream_options.include_usage` is set. */
export function chatUsageChunk(identity: ResponseIdentity, usage: UsageBody) {
  return {
    ...responseHead(identity, "chat.completion.chunk"),
    ...experimentField(identity),
    choices: [],
    usage,
  };
}

export interface FinishedChatChoice {
  content: string;
  /** Internal thoughts; undefined unless the request asked for them. */
  reasoning?: string;
  finishReason: "stop" | "length";
  /** See `prompt/answer-rules` `stopReasonOf`. */
  stopReason: string | null;
  logprobs: ChatLogprobEntry[] | null;
}

/** The non-streaming response. */
export function chatCompletion(identity: ResponseIdentity, choices: readonly FinishedChatChoice[], usage: UsageBody) {
  return {
    ...responseHead(identity, "chat.completion"),
    ...experimentField(identity),
    choices: choices.map((choice, index) => ({
      index,
      message: {
        role: "assistant" as const,
        content: choice.content,
        refusal: null,
        ...(choice.reasoning === undefined ? {} : { reasoning_content: choice.reasoning }),
      },
      logprobs: choice.logprobs === null ? null : { content: choice.logprobs, refusal: null },
      finish_reason: choice.finishReason,
      stop_reason: choice.stopReason,
    })),
    usage,
  };
}
