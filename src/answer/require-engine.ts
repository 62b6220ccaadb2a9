/**
 * @module answer/require-engine
 * The loaded engine (or `loading`: come back shortly), and the token budget
 * of a prompt on it.
 */
import { PromptTooLongError, type Engine, type PromptComposition } from "../engine/engine.js";
import { DomainError, modelLoading } from "../errors/domain-error.js";

export function requireEngine(engine: Engine | undefined): Engine {
  if (engine) return engine;
  throw modelLoading();
}

/**
 * The generation budget for a prompt: `requested` if it fits the context, the
 * room left (at most `ceiling`) if none was asked for. One error per mistake:
 * `invalid` `max_tokens_too_large` whenever `requested` is above `ceiling`
 * (whatever the prompt), else `PromptTooLongError` (the one
 * `context_length_exceeded`, local or remote) when prompt and answer do not
 * fit; `describe` adds what the prompt is made of, measured only then.
 */
export function resolveMaxTokens(promptTokens: number, requested: number | null | undefined, contextSize: number, param: string, ceiling = Infinity, describe?: () => PromptComposition): number {
  if (requested !== null && requested !== undefined && requested > ceiling) {
    throw new DomainError({
      kind: "invalid",
      message: `max_tokens is too large: ${requested}. This server generates at most ${ceiling} tokens per choice (its --max-tokens); ask for ${ceiling} or fewer.`,
      param: "max_tokens",
      code: "max_tokens_too_large",
    });
  }
  const room = contextSize - promptTokens;
  const wanted = requested ?? 1;
  if (room < wanted) throw new PromptTooLongError(promptTokens, contextSize, wanted, param, requested !== null && requested !== undefined, false, describe?.());
  return requested ?? Math.min(room, ceiling);
}
