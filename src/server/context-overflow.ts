/**
 * @module server/context-overflow
 * The 400 `context_length_exceeded` a request gets when its prompt and answer
 * do not fit a sequence, worded so the reader knows what to change: which part
 * of the prompt is the exemplar set and which is theirs, which smaller set
 * would fit these very messages, and what `--context-size` would hold them.
 * Pure: the counts are measured by the caller.
 */
import { ApiError } from "../openai/api-error.js";

/** An exemplar set's share of a chat prompt. */
export interface PromptSetPart {
  name: string;
  /** Tokens of its system prompt and exemplars (the prompt's fixed start). */
  prefixTokens: number;
}

/** Another set's whole prompt for the same messages. */
export interface SetPromptSize {
  name: string;
  promptTokens: number;
}

export interface ContextOverflow {
  contextSize: number;
  promptTokens: number;
  /** The request's max_tokens, when it named one. */
  requested: number | null | undefined;
  /** `messages` or `prompt`: the request field that holds the text. */
  param: string;
  /** The chat request's exemplar set; absent for raw completions. */
  set?: PromptSetPart;
  /** Other sets' prompt sizes for the same messages (the caller measures them); absent for raw completions. */
  otherSets?: readonly SetPromptSize[];
}

/** The error for a request whose prompt plus answer budget exceeds the context. */
export function contextLengthExceeded(overflow: ContextOverflow): ApiError {
  return new ApiError({ status: 400, type: "invalid_request_error", message: contextOverflowMessage(overflow), param: overflow.param, code: "context_length_exceeded" });
}

/** The message of `contextLengthExceeded`, exported for the tests that pin its wording. */
export function contextOverflowMessage(overflow: ContextOverflow): string {
  const { contextSize, promptTokens, requested, set } = overflow;
  const wanted = requested ?? 1;
  const room = contextSize - promptTokens;
  const asked = requested === null || requested === undefined ? "at least 1 generated token" : `max_tokens ${requested}`;
  const parts = set === undefined ? "" : `: ${set.prefixTokens} for exemplar set '${set.name}' and ${promptTokens - set.prefixTokens} for your messages`;
  const head = `This model's context holds ${contextSize} tokens per request, but the prompt has ${promptTokens} tokens${parts}, and the request needs ${asked} (${promptTokens} + ${wanted} > ${contextSize}).`;
  const fixes: string[] = [];
  if (room >= 1 && requested !== null && requested !== undefined) fixes.push(`lower max_tokens to at most ${room}`);
  if (set !== undefined) {
    const fitting = (overflow.otherSets ?? []).filter((other) => other.name !== set.name && other.promptTokens + wanted <= contextSize);
    // The largest set that fits keeps the most of URIAL's examples.
    const best = fitting.sort((a, b) => b.promptTokens - a.promptTokens || a.name.localeCompare(b.name))[0];
    if (best !== undefined) fixes.push(`use model 'urial/${best.name}' (a smaller exemplar set: ${best.promptTokens} tokens with these messages)`);
    fixes.push(`start the server with --context-size ${promptTokens + wanted} or more`);
    fixes.push("shorten the messages");
  } else fixes.push("shorten the prompt");
  return `${head} To fix it, ${joinChoices(fixes)}.`;
}

function joinChoices(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")}, or ${items[items.length - 1]}`;
}
