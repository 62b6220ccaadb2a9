/**
 * @module engine/remote/completion-request-body
 * The `/v1/completions` request a remote engine sends for one generation:
 * the rendered prompt text, the budget, and every sampling setting spelled
 * explicitly (so the upstream's own defaults never apply), under the names
 * vLLM, llama-server and urial read. Stop strings are not sent: the answer
 * pipeline here stops the text and then closes the upstream's stream. Pure.
 */
import type { GenerateOptions } from "../engine.js";

/** Legacy completions return at most this many alternatives per token (OpenAI's and urial's limit). */
export const maxUpstreamLogprobs = 5;

/** The streaming `/v1/completions` body for one generation of `maxTokens` at most. */
export function completionRequestBody(model: string, promptText: string, maxTokens: number, options: GenerateOptions): Record<string, unknown> {
  const { sampling } = options;
  const body: Record<string, unknown> = {
    model,
    prompt: promptText,
    max_tokens: maxTokens,
    n: 1,
    stream: true,
    stream_options: { include_usage: true },
    temperature: sampling.temperature,
    top_p: sampling.topP,
    top_k: sampling.topK,
    min_p: sampling.minP,
    repetition_penalty: sampling.repeatPenalty,
    presence_penalty: sampling.presencePenalty,
    frequency_penalty: sampling.frequencyPenalty,
    // llama-server's names for the same settings (others ignore them).
    repeat_penalty: sampling.repeatPenalty,
    repeat_last_n: sampling.penaltyLastTokens,
  };
  if (sampling.seed !== undefined) body.seed = sampling.seed;
  if (options.topLogprobs !== undefined) body.logprobs = Math.min(Math.max(options.topLogprobs, 1), maxUpstreamLogprobs);
  return body;
}
