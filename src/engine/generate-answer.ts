/**
 * @module engine/generate-answer
 * Generates one answer token by token on a sequence: greedy by default,
 * without repetition penalties or truncation (the analysis wants the model's
 * own most likely answer), stopping at an end-of-generation token, at one of
 * the chat template's stop texts, when the budget or the context runs out, or
 * when its signal aborts. `onToken` sees the tokens so far after each one.
 * With a grammar only what it allows is sampled, and a JSON answer ends as
 * soon as it parses (the grammar would only add whitespace).
 */
import type { LlamaContextSequence, LlamaGrammarEvaluationState, LlamaModel, Token } from "node-llama-cpp";
import type { GenerateAnswerOptions, GeneratedAnswer } from "./scoring-model.js";
import { isCompleteJson } from "./is-complete-json.js";
import { reuseCachedPrefix } from "./reuse-cached-prefix.js";
import type { ThreadPhases } from "./thread-phases.js";

/** Generates an answer to `prompt`; see `ScoringModel.generate`. */
export async function generateAnswer(
  sequence: LlamaContextSequence,
  model: LlamaModel,
  prompt: readonly number[],
  options: GenerateAnswerOptions,
  stopTexts: readonly string[],
  phases?: ThreadPhases,
  grammarEvaluationState?: LlamaGrammarEvaluationState,
): Promise<GeneratedAnswer> {
  if (prompt.length === 0) throw new Error("the prompt is empty");
  if (prompt.length >= sequence.contextSize) {
    throw new Error(`the prompt has ${prompt.length} tokens and the context holds ${sequence.contextSize}`);
  }
  // Capped at the room left: node-llama-cpp's context shift would otherwise
  // erase the start of the prompt.
  const maxTokens = Math.min(options.maxTokens, sequence.contextSize - prompt.length);
  if (maxTokens <= 0) return { tokens: [], stopReason: "length" };
  let kept = await reuseCachedPrefix(sequence, prompt, prompt.length - 1);
  // The prompt with the prefill thread count, then decoding from its last token with the decode count.
  if (kept < prompt.length - 1) {
    const pending = prompt.slice(kept, -1) as Token[];
    await (phases ? phases.prefill(() => sequence.evaluateWithoutGeneratingNewTokens(pending)) : sequence.evaluateWithoutGeneratingNewTokens(pending));
    kept = prompt.length - 1;
  }
  const tokens: number[] = [];
  const evaluation = sequence.evaluate(prompt.slice(kept) as Token[], {
    temperature: options.temperature ?? 0,
    seed: options.seed,
    topK: 0,
    topP: 1,
    minP: 0,
    yieldEogToken: true,
    ...(grammarEvaluationState !== undefined ? { grammarEvaluationState } : {}),
  });
  const aborted = () => options.signal?.aborted === true;
  if (aborted()) return { tokens, stopReason: "length", cachedTokens: kept };
  for await (const token of evaluation) {
    tokens.push(token);
    if (model.isEogToken(token)) return { tokens, stopReason: "eos", cachedTokens: kept };
    if (stopTexts.length > 0) {
      const cut = cutAtStopText(model, tokens, stopTexts);
      if (cut !== undefined) return { tokens: cut, stopReason: "stop", cachedTokens: kept };
    }
    options.onToken?.(tokens);
    if (grammarEvaluationState !== undefined && isCompleteJson(model.detokenize(tokens as Token[], false))) return { tokens, stopReason: "stop" };
    if (tokens.length >= maxTokens || aborted()) break;
  }
  return { tokens, stopReason: "length", cachedTokens: kept };
}

/** The tokens before the first stop text, or undefined when no stop text has appeared. */
function cutAtStopText(model: LlamaModel, tokens: readonly number[], stopTexts: readonly string[]): number[] | undefined {
  const text = model.detokenize(tokens as Token[], true);
  let at = -1;
  for (const stop of stopTexts) {
    const found = text.indexOf(stop);
    if (found >= 0 && (at < 0 || found < at)) at = found;
  }
  if (at < 0) return undefined;
  // Keep the longest token prefix whose text ends before the stop text begins.
  let keep = tokens.length - 1;
  while (keep > 0 && model.detokenize(tokens.slice(0, keep) as Token[], true).length > at) keep -= 1;
  return tokens.slice(0, keep);
}
