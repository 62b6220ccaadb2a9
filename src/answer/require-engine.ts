/**
 * @module answer/require-engine
 * The loaded engine (or `loading`: come back shortly), and the token budget
 * of a prompt on it.
 */
import { PromptTooLongError, type Engine } from "../engine/engine.js";
import { DomainError, modelLoading } from "../errors/domain-error.js";

export function requireEngine(engine: Engine | undefined): Engine {
  if (engine) return engine;
  throw modelLoading();
}

/**
 * The generation budget for a prompt: `requested` if it fits the context, the
 * room left (at most `ceiling`) if none was asked for; `PromptTooLongError`
 * when it does not fit (the one `context_length_exceeded`, local or remote),
 * and `invalid` `max_tokens_too_large` when `requested` is above `ceiling`.
 */
export function resolveMaxTokens(promptTokens: number, requested: number | null | undefined, contextSize: number, param: string, ceiling = Infinity): number {
  const room = contextSize - promptTokens;
  const wanted = requested ?? 1;
  if (room < wanted) throw new PromptTooLongError(promptTokens, contextSize, wanted, param, requested !== null && requested !== undefined);
  if (requested !== null && requested !== undefined && requested > ceiling) {
    throw new DomainError({
      kind: "invalid",
      message: `max_tokens is too large: ${requested}. This server generates at most ${ceiling} tokens per choice.`,
      param: "max_tokens",
      code: "max_tokens_too_large",
    });
  }
  return requested ?? Math.min(room, ceiling);
}
