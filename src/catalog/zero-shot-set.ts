/**
 * @module catalog/zero-shot-set
 * The set behind chat model id `base`: no system prompt and no exemplars, so
 * the base model answers zero-shot in URIAL's Query/Answer layout — the
 * baseline a URIAL set is compared against (the playground's first column,
 * `urial shift`'s zero-shot context).
 */
import { hashExemplarSet, type ExemplarSet } from "./catalog.js";

const fields = {
  name: "zero-shot",
  version: "1",
  description: "The base model zero-shot in URIAL's Query/Answer layout: no system prompt, no exemplars.",
  template: "urial",
  systemPromptName: "none",
  systemPrompt: "",
  exemplars: [],
} as const satisfies Omit<ExemplarSet, "hash" | "file">;

export const zeroShotSet: ExemplarSet = { ...fields, exemplars: [], hash: hashExemplarSet(fields), file: "(built in)" };
