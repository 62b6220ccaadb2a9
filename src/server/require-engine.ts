/**
 * @module server/require-engine
 * The loaded engine, or a 503 telling the client to come back shortly.
 */
import type { Engine } from "../engine/engine.js";
import { ApiError } from "../openai/api-error.js";
import type { AppDeps } from "./app-deps.js";
import { contextLengthExceeded, type ContextOverflow } from "./context-overflow.js";

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
 * room left (at most `ceiling`) if none was asked for. One error per mistake:
 * 400 `max_tokens_too_large` whenever `requested` is above the server's
 * `ceiling` (whatever the prompt), else 400 `context_length_exceeded` when the
 * prompt and the answer do not fit; `describe` adds the exemplar-set details
 * to that message (measured only when the error happens).
 */
export function resolveMaxTokens(
  promptTokens: number,
  requested: number | null | undefined,
  contextSize: number,
  param: string,
  ceiling = Infinity,
  describe?: () => Pick<ContextOverflow, "set" | "otherSets">,
): number {
  if (requested !== null && requested !== undefined && requested > ceiling) {
    throw new ApiError({
      status: 400,
      type: "invalid_request_error",
      message: `max_tokens is too large: ${requested}. This server generates at most ${ceiling} tokens per choice (its --max-tokens); ask for ${ceiling} or fewer.`,
      param: "max_tokens",
      code: "max_tokens_too_large",
    });
  }
  const room = contextSize - promptTokens;
  if (room < (requested ?? 1)) throw contextLengthExceeded({ contextSize, promptTokens, requested, param, ...describe?.() });
  return requested ?? Math.min(room, ceiling);
}
