/**
 * @module ab/offline/build-ab-results
 * Assembles the `results.json` document from a finished run: settings,
 * who judged, every prompt's answers and judgements, the statistics, and the
 * prompts ranked by informativeness.
 */
import type { AbResults, AbVariant } from "./ab-results.js";
import type { JudgeDescription } from "../judge/judge-backend.js";
import { judgePromptVersion } from "../judge/judge-prompts.js";
import { rankByInformativeness } from "./informativeness.js";
import type { AbRunOutcome } from "./run-ab.js";
import { summarizeAb } from "./summarize-ab.js";

export interface BuildAbResultsInput {
  outcome: AbRunOutcome;
  variants: readonly AbVariant[];
  model: { path: string; identity: string };
  judge: JudgeDescription;
  settings: AbResults["settings"];
  createdAt?: Date;
}

export function buildAbResults(input: BuildAbResultsInput): AbResults {
  const { outcome, settings } = input;
  const summary = summarizeAb(
    outcome.prompts,
    input.variants.map((variant) => variant.id),
    { resamples: settings.bootstrap.resamples, seed: settings.bootstrap.seed },
  );
  const ranked = rankByInformativeness(outcome.prompts).map((prompt) => ({ id: prompt.id, category: prompt.category, informativeness: prompt.informativeness }));
  const { identity: _identity, ...judge } = input.judge;
  return {
    format: "urial-ab",
    version: 1,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    model: input.model,
    judge: { ...judge, promptVersion: judgePromptVersion },
    settings,
    variants: [...input.variants],
    prompts: outcome.prompts,
    summary,
    informative: settings.informative === null ? ranked : ranked.slice(0, settings.informative),
    work: outcome.work,
  };
}
