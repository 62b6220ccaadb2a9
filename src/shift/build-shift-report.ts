/**
 * @module shift/build-shift-report
 * Assembles `shift.json` from the analysed prompts: models, settings, the
 * prompts and the summary recomputed from their positions. Pure.
 */
import type { ExemplarSet } from "../catalog/catalog.js";
import type { ScoringModelInfo } from "../engine/scoring-model.js";
import { shiftFormatVersion, type PromptShift, type ShiftReport } from "./shift-schema.js";
import { summarizeShift } from "./summarize-shift.js";

export interface ShiftReportInput {
  base: ScoringModelInfo;
  chat: ScoringModelInfo;
  settings: {
    topK: number;
    maxTokens: number;
    temperature: number;
    seed?: number;
    exemplarSet: Pick<ExemplarSet, "name" | "version" | "hash">;
    promptsFile: string | null;
  };
  prompts: readonly PromptShift[];
  createdAt: Date;
}

/** Builds the versioned report. */
export function buildShiftReport(input: ShiftReportInput): ShiftReport {
  const model = (info: ScoringModelInfo) => ({ name: info.name, path: info.path, vocabularySize: info.vocabularySize, contextSize: info.contextSize });
  const { settings } = input;
  return {
    format: "urial-shift",
    version: shiftFormatVersion,
    createdAt: input.createdAt.toISOString(),
    models: { base: model(input.base), chat: { ...model(input.chat), chatTemplate: input.chat.chatTemplate ?? "gguf" } },
    settings: {
      topK: settings.topK,
      maxTokens: settings.maxTokens,
      temperature: settings.temperature,
      seed: settings.seed ?? null,
      exemplarSet: { name: settings.exemplarSet.name, version: settings.exemplarSet.version, hash: settings.exemplarSet.hash },
      promptsFile: settings.promptsFile,
    },
    summary: summarizeShift(input.prompts),
    prompts: [...input.prompts],
  };
}
