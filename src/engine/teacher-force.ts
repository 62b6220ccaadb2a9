/**
 * @module engine/teacher-force
 * Teacher forcing: evaluate a fixed answer after a context in ONE batched
 * `controlledEvaluate` call and read, at every answer position, the model's
 * full next-token distribution. The reference scripts of the URIAL paper
 * re-run a forward pass per answer token (O(n²) tokens evaluated); here the
 * answer costs one pass of n tokens, after the cached context prefix.
 *
 * Why the distributions are raw: `generateNext.options` is given as
 * temperature 0 with top-k, top-p and min-p disabled; at temperature 0
 * node-llama-cpp returns the plain softmax of the logits over the whole
 * vocabulary (checked in test/engine/teacher-force.test.ts against the
 * logits themselves).
 */
import type { ControlledEvaluateInputItem, LlamaContextSequence, Token } from "node-llama-cpp";
import type { PositionCallback, TeacherForceResult } from "./scoring-model.js";
import { reuseCachedPrefix } from "./reuse-cached-prefix.js";

const rawDistribution = { temperature: 0, topK: 0, topP: 1, minP: 0 } as const;

/**
 * Scores `answer` after `context` on `sequence`; see `ScoringModel.teacherForce`.
 * `vocabularySize` sizes the distribution handed to `onPosition`.
 */
export async function teacherForce(
  sequence: LlamaContextSequence,
  vocabularySize: number,
  context: readonly number[],
  answer: readonly number[],
  onPosition: PositionCallback,
): Promise<TeacherForceResult> {
  if (context.length === 0) throw new Error("teacher forcing needs at least one context token (BOS at least)");
  if (answer.length === 0) return { cachedTokens: 0, evaluatedTokens: 0 };
  // The last answer token is never evaluated: only the outputs before it are needed.
  const tokens = [...context, ...answer.slice(0, -1)];
  if (tokens.length > sequence.contextSize) {
    throw new Error(`the context (${context.length} tokens) and the answer (${answer.length} tokens) do not fit the ${sequence.contextSize}-token context`);
  }
  // The output of the last context token predicts the first answer token, so
  // that token is always evaluated again even when it is cached.
  const firstScored = context.length - 1;
  const kept = await reuseCachedPrefix(sequence, tokens, firstScored);
  const items: ControlledEvaluateInputItem[] = tokens
    .slice(kept)
    .map((token, offset) => (kept + offset >= firstScored ? [token as Token, { generateNext: { probabilities: true, options: rawDistribution } }] : (token as Token)));

  const distribution = new Float32Array(vocabularySize);
  const seen = new Set<number>();
  let failure: unknown;
  await sequence.controlledEvaluate(items, {
    onTokenResult(inputIndex, result) {
      const index = kept + inputIndex - firstScored;
      const probabilities = result.next.probabilities;
      if (index < 0 || probabilities === undefined || failure !== undefined) return;
      distribution.fill(0);
      for (const [id, probability] of probabilities) {
        if (id < vocabularySize) distribution[id] = probability;
      }
      // A full-vocabulary Map per position adds up (128k entries × hundreds of
      // positions); the returned array keeps this object, so drop the Map now.
      delete result.next.probabilities;
      seen.add(index);
      // node-llama-cpp swallows errors thrown in this callback; keep the first.
      try {
        onPosition(index, distribution);
      } catch (error) {
        failure = error;
      }
    },
  });
  if (failure !== undefined) throw failure;
  if (seen.size !== answer.length) {
    throw new Error(`teacher forcing returned ${seen.size} distributions for ${answer.length} answer tokens`);
  }
  return { cachedTokens: kept, evaluatedTokens: items.length };
}
