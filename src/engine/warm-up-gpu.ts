/**
 * @module engine/warm-up-gpu
 * Runs the batch shapes a server will use once at start-up, when layers are
 * on a GPU, so the backend prepares its kernels then and not inside the first
 * request. llama.cpp's Vulkan backend builds each compute pipeline on first
 * use: on an H200 the first request of a fresh server took 12.9 s for 2.9k
 * prompt tokens, and 0.3 s once the pipelines existed. llama-server warms up
 * too (`--warmup`, on by default), with one short batch.
 *
 * Shapes: the prefill chunk sizes (the first chunk and the full batch it grows
 * to, see prefill-chunks), a short partial one, then decode batches of
 * 1 … min(parallel, 8) sequences with one token each (each count is its own
 * matrix-vector kernel). Every sequence is cleared afterwards. On the CPU
 * nothing needs preparing, so it is not run there.
 */
import type { LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";

export interface WarmUpShapes {
  /** Prompt tokens per prefill batch: the engine's chunk sizes (smallest and largest). */
  prefillChunks: readonly number[];
  /** Sequences of the context. */
  parallel: number;
  /** A token every model can evaluate (e.g. its BOS). */
  token: Token;
}

/** Batch sizes to run, in order: prefill shapes, then decode widths. Pure. */
export function warmUpPlan(shapes: Omit<WarmUpShapes, "token">, contextSize: number): { prefill: number[]; decodeWidths: number[] } {
  const chunks = [...new Set(shapes.prefillChunks.map((chunk) => Math.max(1, Math.min(chunk, contextSize - 2))))].sort((a, b) => b - a);
  const smallest = chunks[chunks.length - 1] ?? 1;
  const partial = Math.max(1, Math.min(smallest - 1, 17));
  const prefill = smallest > partial ? [...chunks, partial] : chunks.length > 0 ? chunks : [1];
  const widest = Math.max(1, Math.min(shapes.parallel, 8));
  return { prefill, decodeWidths: Array.from({ length: widest }, (_, index) => index + 1) };
}

/** Runs the plan on `context`'s sequences; returns the ms it took. */
export async function warmUpGpu(context: LlamaContext, sequences: readonly LlamaContextSequence[], shapes: WarmUpShapes): Promise<number> {
  const started = performance.now();
  const plan = warmUpPlan(shapes, context.contextSize);
  const first = sequences[0];
  if (!first) return 0;
  try {
    for (const length of plan.prefill) {
      await first.evaluateWithoutGeneratingNewTokens(Array.from({ length }, () => shapes.token));
      await first.clearHistory();
    }
    for (const width of plan.decodeWidths) {
      // Started together, the evaluations of `width` sequences form one batch.
      await Promise.all(sequences.slice(0, width).map((sequence) => evaluateOneToken(sequence, shapes.token)));
      await Promise.all(sequences.slice(0, width).map((sequence) => sequence.clearHistory()));
    }
  } finally {
    await Promise.all(sequences.map((sequence) => sequence.clearHistory()));
  }
  return performance.now() - started;
}

async function evaluateOneToken(sequence: LlamaContextSequence, token: Token): Promise<void> {
  // One token in, one sampled: a decode step with logits, as in generation.
  for await (const generated of sequence.evaluate([token], { temperature: 0 })) {
    void generated;
    break;
  }
}
