/**
 * @module cli/start-shift-analyser
 * For `urial serve --chat-model`: loads the base model a second time (for
 * scoring, two lanes: zero-shot and URIAL) and the chat model (one lane) in
 * their own llama.cpp instance, and checks that they share a tokenizer. The
 * serving engine keeps its own copy of the base model, so `/v1/shift` never
 * evicts the URIAL prefix that chat requests reuse (on CPU the weights are
 * memory-mapped and shared by the OS page cache; a GPU holds them twice).
 */
import { physicalCoreCount } from "../platform/physical-core-count.js";
import type { ScoringRuntime } from "../engine/scoring-model.js";
import { startScoringRuntime } from "../engine/llama-scoring-runtime.js";
import { createShiftAnalyser, type ShiftAnalyser } from "../shift/create-shift-analyser.js";

export interface StartShiftAnalyserOptions {
  baseModel: string;
  chatModel: string;
  /** A count, or auto (measured per model, up to the physical core count). */
  threads: number | "auto";
  /** Prefill and scoring threads, or auto (the default). */
  batchThreads?: number | "auto";
  gpu?: "auto" | "cuda" | "vulkan" | "metal" | false;
  contextSize?: number;
  onLog?: (level: "warn" | "error", message: string) => void;
}

/** Loads the pair; throws `ModelLoadError`, `ChatTemplateError` or `ShiftInputError` with one-line messages. */
export async function startShiftAnalyser(options: StartShiftAnalyserOptions): Promise<{ analyser: ShiftAnalyser; runtime: ScoringRuntime }> {
  const runtime = await startScoringRuntime({ threads: options.threads, batchThreads: options.batchThreads, maxThreads: physicalCoreCount(), gpu: options.gpu, onLog: options.onLog });
  try {
    const base = await runtime.loadModel({ modelPath: options.baseModel, contextSize: options.contextSize, lanes: 2 });
    const chat = await runtime.loadModel({ modelPath: options.chatModel, contextSize: options.contextSize, lanes: 1 });
    return { analyser: createShiftAnalyser({ base, chat }), runtime };
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
}
