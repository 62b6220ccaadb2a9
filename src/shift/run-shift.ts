/**
 * @module shift/run-shift
 * Runs the analysis over a list of prompts and builds the report, telling a
 * progress callback about each prompt as it finishes.
 */
import type { ExemplarSet } from "../catalog/catalog.js";
import type { ShiftOptions, ShiftPrompt } from "./analyse-prompt.js";
import { buildShiftReport } from "./build-shift-report.js";
import type { ShiftAnalyser } from "./create-shift-analyser.js";
import type { PromptShift, ShiftReport } from "./shift-schema.js";

export type ShiftProgressEvent = { type: "start"; total: number } | { type: "prompt"; index: number; total: number; prompt: PromptShift; milliseconds: number };

export interface RunShiftOptions extends Omit<ShiftOptions, "exemplarSet"> {
  exemplarSet: ExemplarSet;
  /** Recorded in the report. */
  promptsFile: string | null;
  onProgress?: (event: ShiftProgressEvent) => void;
  /** Defaults to the current time. */
  now?: () => Date;
}

/** Analyses every prompt in order and returns the report. */
export async function runShift(analyser: ShiftAnalyser, prompts: readonly ShiftPrompt[], options: RunShiftOptions): Promise<ShiftReport> {
  analyser.checkExemplarSet(options.exemplarSet);
  const now = options.now ?? (() => new Date());
  const createdAt = now();
  options.onProgress?.({ type: "start", total: prompts.length });
  const results: PromptShift[] = [];
  for (const [index, prompt] of prompts.entries()) {
    const started = performance.now();
    const result = await analyser.analyse(prompt, options);
    results.push(result);
    options.onProgress?.({ type: "prompt", index, total: prompts.length, prompt: result, milliseconds: performance.now() - started });
  }
  return buildShiftReport({
    base: analyser.base,
    chat: analyser.chat,
    settings: {
      topK: options.topK,
      maxTokens: options.maxTokens,
      temperature: options.temperature,
      seed: options.seed,
      exemplarSet: options.exemplarSet,
      promptsFile: options.promptsFile,
    },
    prompts: results,
    createdAt,
  });
}
