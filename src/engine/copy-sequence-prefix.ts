/**
 * @module engine/copy-sequence-prefix
 * Gives a sequence another sequence's first `length` KV cells without
 * evaluating them (llama.cpp's `llama_memory_seq_cp`). node-llama-cpp 3.22.1
 * reaches that only through an internal method,
 * `LlamaContextSequence._copyStateFromOtherSequence(other, upToTokenIndex)`
 * (its own checkpoints use it); test/engine/copy-sequence-prefix.test.ts pins
 * it. When the method is missing, or the copy does not leave exactly the
 * expected tokens, this returns false with the target emptied, and the caller
 * evaluates the prefix instead.
 */
import { LlamaContextSequence, type Token } from "node-llama-cpp";

interface CopyInternals {
  _copyStateFromOtherSequence?: (other: LlamaContextSequence, upToTokenIndex: number) => Promise<boolean | undefined>;
}

/** Whether this node-llama-cpp has the internal copy method. */
export function canCopySequences(): boolean {
  return typeof (LlamaContextSequence.prototype as unknown as CopyInternals)._copyStateFromOtherSequence === "function";
}

/**
 * Copies `source`'s cells for `prefix` into `target` (whose own cache is
 * cleared first); true when `target` then holds exactly `prefix`.
 */
export async function copySequencePrefix(target: LlamaContextSequence, source: LlamaContextSequence, prefix: readonly number[]): Promise<boolean> {
  if (!canCopySequences() || target === source || target.context !== source.context) return false;
  // Models whose cache cannot be cut at any position (sliding window, recurrent) need checkpoints: not copied.
  if (target.needsCheckpoints) return false;
  const length = prefix.length;
  if (source.compareContextTokens(prefix as Token[]).firstDifferentIndex < length) return false;
  // Clear first: with a unified KV cache a copy adds cells and would leave the target's old ones beside them.
  await target.clearHistory();
  let copied = false;
  try {
    const copy = (target as unknown as CopyInternals)._copyStateFromOtherSequence!;
    copied = (await copy.call(target, source, length)) === true;
  } catch {
    copied = false;
  }
  const exact = copied && target.nextTokenIndex === length && target.compareContextTokens(prefix as Token[]).firstDifferentIndex === length;
  if (!exact) await target.clearHistory();
  return exact;
}
