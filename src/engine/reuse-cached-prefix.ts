/**
 * @module engine/reuse-cached-prefix
 * Keeps the part of a sequence's KV cache that matches the start of the
 * tokens about to be evaluated, and erases the rest.
 */
import type { LlamaContextSequence, Token } from "node-llama-cpp";

/**
 * Erases `sequence`'s cache from the first token that differs from `tokens`
 * (but keeps at most `limit` tokens, so the caller can re-evaluate the ones
 * whose outputs it needs); returns how many cached tokens were kept.
 */
export async function reuseCachedPrefix(sequence: LlamaContextSequence, tokens: readonly number[], limit: number): Promise<number> {
  const firstDifferent = sequence.compareContextTokens(tokens as Token[]).firstDifferentIndex;
  const kept = Math.max(0, Math.min(firstDifferent, limit));
  if (sequence.nextTokenIndex > kept) {
    await sequence.eraseContextTokenRanges([{ start: kept, end: sequence.nextTokenIndex }]);
  }
  return kept;
}
