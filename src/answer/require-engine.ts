/**
 * @module answer/require-engine
 * The loaded engine, or a 503 telling the client to come back shortly.
 */
import type { Engine } from "../engine/engine.js";
import { ApiError } from "../openai/api-error.js";
import type { AppDeps } from "../server/app-deps.js";

export function requireEngine(deps: AppDeps): Engine {
  const engine = deps.engine();
  if (engine) return engine;
  throw new ApiError({
    status: 503,
    type: "service_unavailable",
    message: "The model is still loading. Retry shortly.",
    code: "model_loading",
    headers: { "retry-after": "2" },
  });
}

/**
 * The generation budget for a prompt: `requested` if it fits the context, the
 * room left (at most `ceiling`) if none was asked for; 400
 * `context_length_exceeded` when it does not fit, and 400
 * `max_tokens_too_large` when `requested` is above the server's `ceiling`.
 */
export function resolveMaxTokens(promptTokens: number, requested: number | null | undefined, contextSize: number, param: string, ceiling = Infinity): number {
  const room = contextSize - promptTokens;
  const wanted = requested ?? 1;
  if (room < wanted) {
    const asked = requested === null || requested === undefined ? "at least 1 generated token" : `max_tokens ${requested}`;
    throw new ApiError({
      status: 400,
      type: "invalid_request_error",
      message: `This model's context holds ${contextSize} tokens per request, but the prompt has ${promptTokens} tokens and the request needs ${asked} (${promptTokens} + ${wanted} > ${contextSize}). Shorten the messages or lower max_tokens.`,
      param,
      code: "context_length_exceeded",
    });
  }
  if (requested !== null && requested !== undefined && requested > ceiling) {
    throw new ApiError({
      status: 400,
      type: "invalid_request_error",
      message: `max_tokens is too large: ${requested}. This server generates at most ${ceiling} tokens per choice.`,
      param: "max_tokens",
      code: "max_tokens_too_large",
    });
  }
  return requested ?? Math.min(room, ceiling);
}
