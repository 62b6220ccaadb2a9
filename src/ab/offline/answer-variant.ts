/**
 * @module ab/offline/answer-variant
 * Generates one answer of `urial ab` through the answer pipeline itself —
 * the same URIAL rendering, budget, stops, cleaning and sampling as live
 * traffic — called in process (`answer/answer-chat`), not re-implemented. A
 * request the pipeline refuses (a prompt too long for the context) is an
 * answer with an error, counted in the report; an unknown model is a mistake
 * in the command, and an engine failure stops the run (neither is cached).
 */
import { answerChat, type AnswerChatOptions } from "../../answer/answer-chat.js";
import type { AnswerDeps } from "../../answer/answer-deps.js";
import { PromptTooLongError, UnsupportedFeatureError, UnsupportedSchemaError } from "../../engine/engine.js";
import { DomainError } from "../../errors/domain-error.js";
import { ApiError, toErrorResponse } from "../../openai/api-error.js";
import { chatRequestSchema } from "../../openai/chat-request-schema.js";
import { parseRequest } from "../../openai/parse-request.js";
import type { SuiteMessage } from "../../suite/read-suite.js";
import type { AbAnswer } from "./ab-results.js";

export interface AnswerRequest {
  model: string;
  messages: readonly SuiteMessage[];
  seed: number;
  temperature: number;
  maxTokens: number;
}

/** A model id the server does not have: stop the run. */
export class UnknownVariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownVariantError";
  }
}

/** The engine failed: the run stops, and the answer is not cached as if it were the variant's. */
export class AnswerFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnswerFailedError";
  }
}

/** One chat completion through the pipeline. */
export async function answerVariant(deps: AnswerDeps, input: AnswerRequest, options: AnswerChatOptions = {}): Promise<AbAnswer> {
  try {
    const request = parseRequest(chatRequestSchema, { model: input.model, messages: input.messages, seed: input.seed, temperature: input.temperature, max_tokens: input.maxTokens });
    const answer = await answerChat(deps, request, options);
    const choice = answer.choices[0]!;
    return {
      content: choice.content,
      finishReason: choice.finishReason,
      stopReason: choice.stopReason,
      promptTokens: answer.usage.promptTokens,
      completionTokens: answer.usage.completionTokens,
      error: null,
      seed: input.seed,
    };
  } catch (error) {
    if (error instanceof DomainError && error.code === "model_not_found") throw new UnknownVariantError(error.message);
    // The client-facing message, as the server would have sent it.
    const message = toErrorResponse(error).body.error.message;
    if (!isRefusal(error)) throw new AnswerFailedError(`${input.model} could not answer (${message})`);
    return { content: "", finishReason: null, stopReason: null, promptTokens: null, completionTokens: null, error: message, seed: input.seed };
  }
}

/** The pipeline refused this request (it would be a 4xx), as opposed to failing. */
function isRefusal(error: unknown): boolean {
  if (error instanceof DomainError) return error.kind === "invalid" || error.kind === "unknown";
  if (error instanceof ApiError) return error.status < 500;
  return error instanceof PromptTooLongError || error instanceof UnsupportedFeatureError || error instanceof UnsupportedSchemaError;
}
